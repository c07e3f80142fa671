import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as chargePointService from '../../src/charge-points/charge-point.service.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { AppError } from '../../src/errors.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(() => handle.close());

const bootInfo = {
  vendor: 'Acme',
  model: 'Wallbox 22',
  chargePointSerialNumber: 'SN-1',
  chargeBoxSerialNumber: 'BOX-1',
  firmwareVersion: '1.2.3',
  iccid: '8988303000000001234',
  imsi: '262019876543210',
  meterType: 'EM-3',
  meterSerialNumber: 'M-77',
};

describe('charge point registration and connection authorization', () => {
  it('accepts the right password and refuses a wrong or missing one', async () => {
    await chargePointService.register(handle.db, { id: 'CP-AUTH-1', password: 'correct-horse-battery-1' });
    const ok = await chargePointService.authorizeConnection(handle.db, 'CP-AUTH-1', Buffer.from('correct-horse-battery-1'), 'reject');
    expect(ok).toMatchObject({ accepted: true, created: false });
    const wrong = await chargePointService.authorizeConnection(handle.db, 'CP-AUTH-1', Buffer.from('wrong-password-xxxxx'), 'reject');
    expect(wrong).toEqual({ accepted: false, reason: 'wrong_password' });
    const missing = await chargePointService.authorizeConnection(handle.db, 'CP-AUTH-1', undefined, 'reject');
    expect(missing).toEqual({ accepted: false, reason: 'password_required' });
  });

  it('stores only a scrypt hash of the password', async () => {
    const row = await chargePointService.get(handle.db, 'CP-AUTH-1');
    expect(row?.passwordHash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$/);
    expect(row?.passwordHash).not.toContain('correct-horse');
  });

  it('authorizes chargers registered in bulk with generated passwords (sha256$) next to scrypt ones', async () => {
    const credentials = chargePointService.generateCredentials(['CP-BULK-1', 'CP-BULK-2']);
    await handle.db.transaction().execute((tx) => chargePointService.registerMany(tx, credentials));
    for (const c of credentials) {
      const row = await chargePointService.get(handle.db, c.id);
      expect(row).toMatchObject({ registrationStatus: 'Accepted', passwordHash: c.passwordHash });
      expect(row?.passwordHash).toMatch(/^sha256\$[A-Za-z0-9_-]{43}$/);
      expect(row?.passwordHash).not.toContain(c.password);
      expect(await chargePointService.authorizeConnection(handle.db, c.id, Buffer.from(c.password), 'reject')).toMatchObject({ accepted: true, created: false });
    }
    const [one, two] = credentials;
    expect(await chargePointService.authorizeConnection(handle.db, one!.id, Buffer.from(two!.password), 'reject')).toEqual({ accepted: false, reason: 'wrong_password' });
    expect(await chargePointService.authorizeConnection(handle.db, one!.id, Buffer.from(one!.password.slice(0, -1)), 'reject')).toEqual({ accepted: false, reason: 'wrong_password' });
    expect(await chargePointService.authorizeConnection(handle.db, one!.id, undefined, 'reject')).toEqual({ accepted: false, reason: 'password_required' });
    // The scrypt charger of the first test still connects.
    expect(await chargePointService.authorizeConnection(handle.db, 'CP-AUTH-1', Buffer.from('correct-horse-battery-1'), 'reject')).toMatchObject({ accepted: true });
  });

  it('lets a charger registered without a password connect with or without credentials', async () => {
    await chargePointService.register(handle.db, { id: 'CP-OPEN-1', password: null });
    expect(await chargePointService.authorizeConnection(handle.db, 'CP-OPEN-1', undefined, 'reject')).toMatchObject({ accepted: true });
    expect(await chargePointService.authorizeConnection(handle.db, 'CP-OPEN-1', Buffer.from('whatever'), 'reject')).toMatchObject({ accepted: true });
  });

  it('refuses unknown identities under the reject policy and writes nothing', async () => {
    expect(await chargePointService.authorizeConnection(handle.db, 'CP-NOBODY', undefined, 'reject')).toEqual({
      accepted: false,
      reason: 'unknown_charger',
    });
    expect(await chargePointService.get(handle.db, 'CP-NOBODY')).toBeUndefined();
  });

  it('admits unknown identities as Pending under the pending policy, then completes their registration', async () => {
    const first = await chargePointService.authorizeConnection(handle.db, 'CP-NEW-1', undefined, 'pending');
    expect(first).toMatchObject({ accepted: true, created: true });
    expect((await chargePointService.recordBoots(handle.db, [{ id: 'CP-NEW-1', boot: bootInfo, at: new Date() }]))[0]).toBe('Pending');

    await chargePointService.register(handle.db, { id: 'CP-NEW-1', password: 'now-it-has-a-password' });
    expect((await chargePointService.recordBoots(handle.db, [{ id: 'CP-NEW-1', boot: bootInfo, at: new Date() }]))[0]).toBe('Accepted');
    expect(await chargePointService.authorizeConnection(handle.db, 'CP-NEW-1', undefined, 'pending')).toEqual({
      accepted: false,
      reason: 'password_required',
    });
  });

  it('rejects invalid registrations with a clear error and keeps nothing', async () => {
    await expect(chargePointService.register(handle.db, { id: 'bad id/with slash', password: null })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(chargePointService.register(handle.db, { id: 'CP-SHORT', password: 'short' })).rejects.toBeInstanceOf(AppError);
    expect(await chargePointService.get(handle.db, 'CP-SHORT')).toBeUndefined();
    await expect(chargePointService.register(handle.db, { id: 'CP-AUTH-1', password: null })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('stores boot information and answers Rejected for a rejected charger', async () => {
    const at = new Date('2026-11-22T10:00:00.000Z');
    expect((await chargePointService.recordBoots(handle.db, [{ id: 'CP-AUTH-1', boot: bootInfo, at }]))[0]).toBe('Accepted');
    const row = await chargePointService.get(handle.db, 'CP-AUTH-1');
    expect(row).toMatchObject({ ...bootInfo, lastBootAt: at });

    await chargePointService.register(handle.db, { id: 'CP-BANNED', password: null, registrationStatus: 'Rejected' });
    expect((await chargePointService.recordBoots(handle.db, [{ id: 'CP-BANNED', boot: bootInfo, at }]))[0]).toBe('Rejected');
  });

  it('tracks online state; only the current connection can mark the charger offline', async () => {
    const t1 = new Date('2026-11-22T11:00:00.000Z');
    await chargePointService.connectedMany(handle.db, [{ id: 'CP-OPEN-1', serverId: 'node-a', wsConnectionId: 'conn-1', at: t1 }]);
    await chargePointService.connectedMany(handle.db, [{ id: 'CP-OPEN-1', serverId: 'node-a', wsConnectionId: 'conn-2', at: new Date(t1.getTime() + 1000) }]);
    expect((await chargePointService.disconnectedMany(handle.db, [{ id: 'CP-OPEN-1', wsConnectionId: 'conn-1', at: new Date() }]))[0]).toBe(false);
    let row = await chargePointService.get(handle.db, 'CP-OPEN-1');
    expect(row).toMatchObject({ online: true, serverId: 'node-a', wsConnectionId: 'conn-2' });

    expect((await chargePointService.disconnectedMany(handle.db, [{ id: 'CP-OPEN-1', wsConnectionId: 'conn-2', at: new Date() }]))[0]).toBe(true);
    row = await chargePointService.get(handle.db, 'CP-OPEN-1');
    expect(row).toMatchObject({ online: false, wsConnectionId: null });
    expect(row?.disconnectedAt).toBeInstanceOf(Date);
  });

  it('marks a restarted node\'s chargers offline', async () => {
    await chargePointService.connectedMany(handle.db, [{ id: 'CP-OPEN-1', serverId: 'node-crashed', wsConnectionId: 'conn-3', at: new Date() }]);
    await chargePointService.connectedMany(handle.db, [{ id: 'CP-AUTH-1', serverId: 'node-other', wsConnectionId: 'conn-4', at: new Date() }]);
    expect(await chargePointService.releaseServer(handle.db, 'node-crashed', new Date())).toBe(1);
    expect((await chargePointService.get(handle.db, 'CP-OPEN-1'))?.online).toBe(false);
    expect((await chargePointService.get(handle.db, 'CP-AUTH-1'))?.online).toBe(true);
  });

  it('records diagnostics and firmware status with history', async () => {
    await chargePointService.recordDiagnosticsStatus(handle.db, 'CP-AUTH-1', 'Uploading', new Date());
    await chargePointService.recordFirmwareStatus(handle.db, 'CP-AUTH-1', 'Downloading', new Date());
    await chargePointService.recordFirmwareStatus(handle.db, 'CP-AUTH-1', 'Installed', new Date());
    const row = await chargePointService.get(handle.db, 'CP-AUTH-1');
    expect(row).toMatchObject({ diagnosticsStatus: 'Uploading', firmwareStatus: 'Installed' });
    const events = await handle.db.selectFrom('chargePointEvent').select(['kind', 'status']).where('chargePointId', '=', 'CP-AUTH-1').orderBy('id').execute();
    expect(events).toEqual([
      { kind: 'diagnostics', status: 'Uploading' },
      { kind: 'firmware', status: 'Downloading' },
      { kind: 'firmware', status: 'Installed' },
    ]);
  });
});
