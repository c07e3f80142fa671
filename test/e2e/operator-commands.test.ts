import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedChargePoint } from '../../simulators/charge-point.ts';
import * as idTagService from '../../src/id-tags/id-tag.service.ts';
import { connectRaw } from '../fixtures/raw-ocpp-client.ts';
import { operatorClient, type OperatorClient } from '../fixtures/operator-client.ts';
import { eventually, startTestApp, type TestApp } from '../fixtures/test-app.ts';

const ID = 'CP-CMD-1';
let t: TestApp;
let op: OperatorClient;
let cp: SimulatedChargePoint;

const command = (action: string, payload: unknown, query = '') => op.request('POST', `/chargers/${ID}/commands/${action}${query}`, payload);
const charger = async () => (await op.request('GET', `/chargers/${ID}`)).body.data;

beforeAll(async () => {
  t = await startTestApp({ env: { MAINTENANCE_INTERVAL_S: '0.2' } });
  op = await operatorClient(t, 'OPERATOR');
  const registered = await op.request('POST', '/chargers', {
    id: ID,
    password: null,
    connectors: [1, 2].map((connector_id) => ({
      connector_id, standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32, max_electric_power: 22000,
    })),
  });
  expect(registered.status).toBe(201);
  await idTagService.upsert(t.db, { idTag: 'REMOTE-TAG' });
  await idTagService.upsert(t.db, { idTag: 'RESERVE-TAG' });
  cp = new SimulatedChargePoint({ url: t.ocppUrl, identity: ID, meterValueIntervalSec: 0, followUpDelayMs: 20, rebootDelayMs: 50 });
  await cp.connect();
  await cp.boot();
  await cp.sendAllStatuses();
});
afterAll(async () => {
  await cp.close().catch(() => undefined);
  await t.close();
});

describe('the operator API lists and shows chargers', () => {
  it('lists the charger online with its connectors and their live status', async () => {
    const list = await op.request('GET', '/chargers?online=true');
    expect(list.status).toBe(200);
    const row = list.body.data.find((c: { id: string }) => c.id === ID);
    expect(row).toMatchObject({ online: true, server_id: 'test-node', registration_status: 'Accepted', password_protected: false });
    expect(row.connectors.map((c: { connector_id: number; status: string; max_electric_power: number }) => [c.connector_id, c.status, c.max_electric_power])).toEqual([
      [1, 'Available', 22000],
      [2, 'Available', 22000],
    ]);
  });
});

describe('core profile', () => {
  it('GetConfiguration: the answer is returned and stored per charger', async () => {
    const res = await command('GetConfiguration', {});
    expect(res.status).toBe(200);
    expect(res.body.data.response.configurationKey.length).toBeGreaterThan(10);
    const stored = (await charger()).configuration as Array<{ key: string; value: string; readonly: boolean }>;
    expect(stored.find((c) => c.key === 'NumberOfConnectors')).toMatchObject({ value: '2', readonly: true });
  });

  it('ChangeConfiguration: accepted values are stored, read-only and unknown keys are not', async () => {
    expect((await command('ChangeConfiguration', { key: 'HeartbeatInterval', value: '77' })).body.data.response).toEqual({ status: 'Accepted' });
    expect((await command('ChangeConfiguration', { key: 'NumberOfConnectors', value: '9' })).body.data.response).toEqual({ status: 'Rejected' });
    expect((await command('ChangeConfiguration', { key: 'NoSuchKey', value: '1' })).body.data.response).toEqual({ status: 'NotSupported' });
    const stored = (await charger()).configuration as Array<{ key: string; value: string }>;
    expect(stored.find((c) => c.key === 'HeartbeatInterval')?.value).toBe('77');
    expect(stored.find((c) => c.key === 'NumberOfConnectors')?.value).toBe('2');
    expect(stored.find((c) => c.key === 'NoSuchKey')).toBeUndefined();
  });

  let transactionId: number;
  it('RemoteStartTransaction: the charger starts on the requested connector, visible through the API', async () => {
    const res = await command('RemoteStartTransaction', { idTag: 'REMOTE-TAG', connectorId: 2 });
    expect(res.body.data.response).toEqual({ status: 'Accepted' });
    const active = await eventually(async () => {
      const list = await op.request('GET', `/transactions?charge_point_id=${ID}&active=true`);
      return list.body.data.length > 0 && list.body.data;
    });
    expect(active[0]).toMatchObject({ connector_id: 2, id_tag: 'REMOTE-TAG', active: true });
    transactionId = active[0].id;
    const details = await charger();
    expect(details.active_transactions[0]).toMatchObject({ id: transactionId, connector_id: 2 });
    // The charger reports Charging right after its StartTransaction is answered.
    await eventually(async () => (await charger()).connectors[1].status === 'Charging');
  });

  it('RemoteStopTransaction: the charger stops it, with reason Remote', async () => {
    const res = await command('RemoteStopTransaction', { transactionId });
    expect(res.body.data.response).toEqual({ status: 'Accepted' });
    const tx = await eventually(async () => {
      const r = await op.request('GET', `/transactions/${transactionId}`);
      return r.body.data.stop_timestamp && r.body.data;
    });
    expect(tx).toMatchObject({ stop_reason: 'Remote', active: false });
    expect(tx.meter_values.map((m: { context: string }) => m.context)).toEqual(expect.arrayContaining(['Transaction.Begin', 'Transaction.End']));
    expect((await command('RemoteStopTransaction', { transactionId: 424242 })).body.data.response).toEqual({ status: 'Rejected' });
  });

  it('ChangeAvailability: the connector becomes Unavailable, then Available again', async () => {
    expect((await command('ChangeAvailability', { connectorId: 1, type: 'Inoperative' })).body.data.response).toEqual({ status: 'Accepted' });
    await eventually(async () => (await charger()).connectors[0].status === 'Unavailable');
    expect((await command('ChangeAvailability', { connectorId: 1, type: 'Operative' })).body.data.response).toEqual({ status: 'Accepted' });
    await eventually(async () => (await charger()).connectors[0].status === 'Available');
  });

  it('Reset: the charger reboots and boots again', async () => {
    const before = new Date((await charger()).last_boot.at).getTime();
    const rebooted = cp.waitFor('rebooted');
    expect((await command('Reset', { type: 'Soft' })).body.data.response).toEqual({ status: 'Accepted' });
    await rebooted;
    await eventually(async () => {
      const d = await charger();
      return d.online && new Date(d.last_boot.at).getTime() > before;
    });
  });

  it('UnlockConnector, ClearCache, DataTransfer and TriggerMessage answer as the charger does', async () => {
    expect((await command('UnlockConnector', { connectorId: 1 })).body.data.response).toEqual({ status: 'Unlocked' });
    expect((await command('ClearCache', {})).body.data.response).toEqual({ status: 'Accepted' });
    expect((await command('DataTransfer', { vendorId: 'SimCharge', messageId: 'ping', data: 'x' })).body.data.response).toMatchObject({ status: expect.any(String) });
    const outgoing = await t.db.selectFrom('dataTransfer').selectAll().where('direction', '=', 'outgoing').execute();
    expect(outgoing).toHaveLength(1);
    const seenBefore = (await charger()).last_seen_at;
    expect((await command('TriggerMessage', { requestedMessage: 'Heartbeat' })).body.data.response).toEqual({ status: 'Accepted' });
    await eventually(async () => (await charger()).last_seen_at !== seenBefore);
  });
});

describe('reservation profile', () => {
  it('ReserveNow holds the connector; CancelReservation releases it', async () => {
    const expiryDate = new Date(Date.now() + 3600_000).toISOString();
    const res = await command('ReserveNow', { connectorId: 1, expiryDate, idTag: 'RESERVE-TAG' });
    expect(res.body.data.response).toEqual({ status: 'Accepted' });
    const reservationId = (await t.db.selectFrom('ocppCommand').select('payload').where('id', '=', res.body.data.command_id).executeTakeFirstOrThrow())
      .payload as { reservationId: number };
    let list = (await op.request('GET', `/chargers/${ID}/reservations`)).body.data;
    expect(list[0]).toMatchObject({ id: reservationId.reservationId, status: 'reserved', connector_id: 1, id_tag: 'RESERVE-TAG' });
    expect((await command('CancelReservation', { reservationId: reservationId.reservationId })).body.data.response).toEqual({ status: 'Accepted' });
    list = (await op.request('GET', `/chargers/${ID}/reservations?status=cancelled`)).body.data;
    expect(list.map((r: { id: number }) => r.id)).toContain(reservationId.reservationId);
  });

  it('a reservation is used by the matching id tag starting a transaction', async () => {
    const expiryDate = new Date(Date.now() + 3600_000).toISOString();
    await command('ReserveNow', { connectorId: 2, expiryDate, idTag: 'RESERVE-TAG', reservationId: 9001 });
    const { transactionId } = await cp.startCharging(2, 'RESERVE-TAG');
    const [reservation] = (await op.request('GET', `/chargers/${ID}/reservations?status=used`)).body.data;
    expect(reservation).toMatchObject({ id: 9001, transaction_id: transactionId });
    await cp.stopCharging(2);
  });

  it('a reservation nobody uses expires', async () => {
    const expiryDate = new Date(Date.now() + 1500).toISOString();
    await command('ReserveNow', { connectorId: 1, expiryDate, idTag: 'RESERVE-TAG', reservationId: 9002 });
    await eventually(async () => {
      const list = (await op.request('GET', `/chargers/${ID}/reservations?status=expired`)).body.data;
      return list.some((r: { id: number }) => r.id === 9002);
    }, 6000);
  });

  it('a charger refusing the reservation leaves it rejected with its answer', async () => {
    await cp.statusNotification(1, 'Faulted', { errorCode: 'OtherError' });
    const res = await command('ReserveNow', { connectorId: 1, expiryDate: new Date(Date.now() + 60_000).toISOString(), idTag: 'RESERVE-TAG', reservationId: 9003 });
    expect(res.body.data.response.status).not.toBe('Accepted');
    const [r] = (await op.request('GET', `/chargers/${ID}/reservations?status=rejected`)).body.data;
    expect(r).toMatchObject({ id: 9003, charger_answer: res.body.data.response.status });
    await cp.statusNotification(1, 'Available');
  });
});

describe('smart charging profile', () => {
  let profileId: number;
  it('installs a named profile, reads the composite schedule, clears it', async () => {
    const created = await op.request('POST', '/charging-profiles', {
      name: 'site-limit-16A', purpose: 'TxDefaultProfile', stack_level: 1, kind: 'Absolute',
      schedule: { charging_rate_unit: 'A', start_schedule: '2026-01-01T00:00:00Z', periods: [{ start_period: 0, limit: 16 }, { start_period: 3600, limit: 9.1 }] },
    });
    expect(created.status).toBe(201);
    profileId = created.body.data.id;
    const installed = await op.request('POST', `/chargers/${ID}/charging-profiles`, { charging_profile_id: profileId, connector_id: 1 });
    expect(installed.body.data.response).toEqual({ status: 'Accepted' });
    const held = (await op.request('GET', `/chargers/${ID}/charging-profiles`)).body.data;
    expect(held).toEqual([expect.objectContaining({ charging_profile_id: profileId, connector_id: 1, purpose: 'TxDefaultProfile', stack_level: 1, named_profile_id: profileId })]);

    const composite = await command('GetCompositeSchedule', { connectorId: 1, duration: 7200, chargingRateUnit: 'A' });
    expect(composite.body.data.response.status).toBe('Accepted');
    expect(composite.body.data.response.chargingSchedule.chargingSchedulePeriod.length).toBeGreaterThan(0);

    expect((await command('ClearChargingProfile', { id: profileId })).body.data.response).toEqual({ status: 'Accepted' });
    expect((await op.request('GET', `/chargers/${ID}/charging-profiles`)).body.data).toEqual([]);
  });

  it('refuses a schedule a charger could not take, with a clear error', async () => {
    const res = await op.request('POST', '/charging-profiles', {
      name: 'bad', purpose: 'TxDefaultProfile', stack_level: 1, kind: 'Recurring',
      schedule: { charging_rate_unit: 'A', periods: [{ start_period: 0, limit: 9.15 }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/decimal/);
  });
});

describe('firmware management and local list profiles', () => {
  it('GetDiagnostics answers a file name and the status notifications follow in order', async () => {
    const res = await command('GetDiagnostics', { location: 'ftp://diag.example.invalid/upload' });
    expect(res.body.data.response.fileName).toEqual(expect.any(String));
    await eventually(async () => (await charger()).diagnostics_status === 'Uploaded');
  });

  it('UpdateFirmware: the charger reports each step, installs and reboots', async () => {
    const rebooted = cp.waitFor('rebooted');
    const res = await command('UpdateFirmware', { location: 'https://fw.example.invalid/v2.bin', retrieveDate: new Date().toISOString() });
    expect(res.body.data.response).toEqual({});
    await eventually(async () => (await charger()).firmware_status === 'Installed', 8000);
    const steps = await t.db.selectFrom('chargePointEvent').select('status').where('chargePointId', '=', ID).where('kind', '=', 'firmware').orderBy('id').execute();
    expect(steps.map((s) => s.status)).toEqual(['Downloading', 'Downloaded', 'Installing', 'Installed']);
    await rebooted;
    await eventually(async () => (await charger()).online);
  });

  it('SendLocalList full then differential; GetLocalListVersion reads the version back', async () => {
    const full = await command('SendLocalList', {
      listVersion: 1, updateType: 'Full',
      localAuthorizationList: [{ idTag: 'CARD-A', idTagInfo: { status: 'Accepted' } }, { idTag: 'CARD-B', idTagInfo: { status: 'Blocked' } }],
    });
    expect(full.body).toMatchObject({ status: 200, data: { response: { status: 'Accepted' } } });
    const diff = await command('SendLocalList', { listVersion: 2, updateType: 'Differential', localAuthorizationList: [{ idTag: 'CARD-B' }, { idTag: 'CARD-C', idTagInfo: { status: 'Accepted' } }] });
    expect(diff.body.data.response).toEqual({ status: 'Accepted' });
    const entries = await t.db.selectFrom('localListEntry').select(['idTag', 'status']).where('chargePointId', '=', ID).orderBy('idTag').execute();
    expect(entries).toEqual([{ idTag: 'CARD-A', status: 'Accepted' }, { idTag: 'CARD-C', status: 'Accepted' }]);
    expect((await command('GetLocalListVersion', {})).body.data.response).toEqual({ listVersion: 2 });
    expect((await charger()).local_list_version).toBe(2);
  });
});

describe('failures', () => {
  it('every command so far is in the journal with its answer and duration', async () => {
    const res = await op.request('GET', `/chargers/${ID}/commands?limit=200`);
    const commands = res.body.data as Array<{ action: string; status: string; duration_ms: number; requested_by: string }>;
    expect(commands.length).toBeGreaterThanOrEqual(25);
    expect(commands.every((c) => c.status === 'answered' && c.duration_ms >= 0 && c.requested_by === `user:${op.username}`)).toBe(true);
    expect(new Set(commands.map((c) => c.action)).size).toBe(19);
  });

  it('an invalid payload is refused before anything is sent or recorded', async () => {
    const before = (await op.request('GET', `/chargers/${ID}/commands?limit=200`)).body.data.length;
    const res = await command('Reset', { type: 'Gentle' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(res.body.message).toMatch(/Reset/);
    expect((await op.request('GET', `/chargers/${ID}/commands?limit=200`)).body.data.length).toBe(before);
  });

  it('an unknown action or charger is 404', async () => {
    expect((await command('SelfDestruct', {})).status).toBe(404);
    expect((await op.request('POST', '/chargers/NOPE/commands/Reset', { type: 'Soft' })).status).toBe(404);
  });

  it('an offline charger is 409, recorded as offline', async () => {
    await op.request('POST', '/chargers', { id: 'CP-SLEEPING', password: null });
    const res = await op.request('POST', '/chargers/CP-SLEEPING/commands/Reset', { type: 'Soft' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 409, code: 'CHARGER_OFFLINE' });
    const [journal] = (await op.request('GET', '/chargers/CP-SLEEPING/commands')).body.data;
    expect(journal).toMatchObject({ action: 'Reset', status: 'offline' });
  });

  it('a charger that does not answer is 504 after the timeout, recorded as timeout', async () => {
    await op.request('POST', '/chargers', { id: 'CP-SILENT', password: null });
    const silent = await connectRaw(t.ocppUrl, 'CP-SILENT'); // never answers a call
    try {
      await eventually(async () => (await op.request('GET', '/chargers/CP-SILENT')).body.data.online);
      const res = await op.request('POST', '/chargers/CP-SILENT/commands/ClearCache?timeout_ms=300', {});
      expect(res.status).toBe(504);
      expect(res.body.code).toBe('CHARGER_TIMEOUT');
      const [journal] = (await op.request('GET', '/chargers/CP-SILENT/commands')).body.data;
      expect(journal).toMatchObject({ action: 'ClearCache', status: 'timeout' });
    } finally {
      await silent.close();
    }
  });

  it('needs an operator token', async () => {
    const res = await fetch(`${t.httpUrl}/api/v1/chargers/${ID}/commands/Reset`, { method: 'POST', body: '{"type":"Soft"}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
