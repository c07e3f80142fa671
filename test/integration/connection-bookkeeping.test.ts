import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as chargePointService from '../../src/charge-points/charge-point.service.ts';
import { createConnectionBookkeeping } from '../../src/charge-points/connection-bookkeeping.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { MAX_MESSAGE_BYTES } from '../../src/cluster/cluster-bus.ts';
import { encodeNotices } from '../../src/ocpp/connected-notices.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
  for (const id of ['GB-1', 'GB-2', 'GB-3']) await chargePointService.register(handle.db, { id, password: null });
  await chargePointService.register(handle.db, { id: 'GB-BANNED', password: null, registrationStatus: 'Rejected' });
});
afterAll(() => handle.close());

const boot = (vendor: string) => ({
  vendor, model: 'M', chargePointSerialNumber: null, chargeBoxSerialNumber: null, firmwareVersion: null,
  iccid: null, imsi: null, meterType: null, meterSerialNumber: null,
});

describe('connection bookkeeping in groups', () => {
  it('answers each caller of a shared batch as if written one by one', async () => {
    const book = createConnectionBookkeeping(handle.db, { maxBatch: 100, maxDelayMs: 5, concurrency: 2 });
    const at = new Date('2026-12-01T10:00:00.000Z');
    const [statuses, decisions] = await Promise.all([
      Promise.all([
        book.recordBoot({ id: 'GB-1', boot: boot('First'), at }),
        book.recordBoot({ id: 'GB-1', boot: boot('Second'), at }),
        book.recordBoot({ id: 'GB-BANNED', boot: boot('X'), at }),
        book.recordBoot({ id: 'GB-GONE', boot: boot('X'), at }),
      ]),
      Promise.all(['GB-2', 'GB-NOBODY'].map((id) => book.authorize(id, undefined, 'reject'))),
      Promise.all(['GB-1', 'GB-2', 'GB-3'].map((id) => book.connected({ id, at, serverId: 'node-a', wsConnectionId: `ws-${id}` }))),
    ]);
    expect(statuses).toEqual(['Accepted', 'Accepted', 'Rejected', 'Rejected']);
    expect(decisions).toEqual([{ accepted: true, created: false }, { accepted: false, reason: 'unknown_charger' }]);
    expect(await chargePointService.get(handle.db, 'GB-1')).toMatchObject({ vendor: 'Second', lastBootAt: at, online: true, wsConnectionId: 'ws-GB-1' });

    const offline = await Promise.all([
      book.disconnected({ id: 'GB-1', wsConnectionId: 'ws-GB-1', at }),
      book.disconnected({ id: 'GB-1', wsConnectionId: 'ws-GB-1', at }),
      book.disconnected({ id: 'GB-2', wsConnectionId: 'ws-stale', at }),
    ]);
    expect(offline).toEqual([true, false, false]);
    expect(await chargePointService.get(handle.db, 'GB-2')).toMatchObject({ online: true, wsConnectionId: 'ws-GB-2' });
    await book.close();
    await expect(book.connected({ id: 'GB-3', at, serverId: 'node-a', wsConnectionId: 'ws-late' })).rejects.toThrow(/closed/);
  });

  it('records connects in the order they happened, so a quick reconnect is never undone by its old socket', async () => {
    const book = createConnectionBookkeeping(handle.db, { maxBatch: 1, maxDelayMs: 0, concurrency: 4 });
    const at = new Date('2026-12-01T11:00:00.000Z');
    for (let round = 0; round < 20; round++) {
      const old = `ws-old-${round}`;
      const current = `ws-new-${round}`;
      // Both connects queued at once, each its own batch; then the old socket closes.
      await Promise.all([
        book.connected({ id: 'GB-3', at, serverId: 'node-a', wsConnectionId: old }),
        book.connected({ id: 'GB-3', at, serverId: 'node-a', wsConnectionId: current }),
      ]);
      expect(await book.disconnected({ id: 'GB-3', wsConnectionId: old, at })).toBe(false);
      expect(await chargePointService.get(handle.db, 'GB-3')).toMatchObject({ online: true, wsConnectionId: current });
    }
    await book.close();
  });

  it('splits connected notices under the bus message limit', () => {
    const chargers = Array.from({ length: 1000 }, (_, i): [string, string] => [`CP-${i}`, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`]);
    const messages = encodeNotices('node-a', chargers);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(Buffer.byteLength(m)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(messages.flatMap((m) => (JSON.parse(m) as { chargers: unknown[] }).chargers)).toEqual(chargers);
  });
});
