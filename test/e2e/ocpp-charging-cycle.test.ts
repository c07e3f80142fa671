import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedChargePoint } from '../../simulators/charge-point.ts';
import * as chargePointService from '../../src/charge-points/charge-point.service.ts';
import * as idTagService from '../../src/id-tags/id-tag.service.ts';
import { eventually, startTestApp, type TestApp } from '../fixtures/test-app.ts';

const ID = 'CP-CYCLE-1';
const PASSWORD = 'cycle-password-123456';
let t: TestApp;
let cp: SimulatedChargePoint;
/** Every CALL the simulator sent, as [action, payload], read off its wire log. */
const sent: Array<[string, Record<string, unknown>]> = [];
const lastSent = (action: string) => [...sent].reverse().find(([a]) => a === action)![1];

beforeAll(async () => {
  t = await startTestApp({ env: { OCPP_HEARTBEAT_INTERVAL_S: '120' } });
  await chargePointService.register(t.db, { id: ID, password: PASSWORD });
  await idTagService.upsert(t.db, { idTag: 'RFID-CYCLE', expiryDate: new Date('2032-01-01T00:00:00Z') });
  cp = new SimulatedChargePoint({
    url: t.ocppUrl,
    identity: ID,
    password: PASSWORD,
    connectors: 2,
    vendor: 'SimVendor',
    model: 'SimModel-22',
    serialNumber: 'SIM-SN-1',
    firmwareVersion: '4.5.6',
    iccid: '89883030000012345678',
    imsi: '262011234567890',
    meterType: 'SimMeter',
    meterSerialNumber: 'MTR-9',
    meterValueIntervalSec: 0,
    log: (line) => {
      const frame = line.slice(line.indexOf('>> ') + 3);
      if (!line.includes(' >> ')) return;
      const message = JSON.parse(frame) as unknown[];
      if (message[0] === 2) sent.push([message[2] as string, message[3] as Record<string, unknown>]);
    },
  });
  await cp.connect();
});
afterAll(async () => {
  await cp.close();
  await t.close();
});

const chargePoint = () => t.db.selectFrom('chargePoint').selectAll().where('id', '=', ID).executeTakeFirstOrThrow();

describe('a charger from boot to the end of a charging session', () => {
  it('is online on this node once connected', async () => {
    const row = await eventually(async () => {
      const r = await chargePoint();
      return r.online && r;
    });
    expect(row).toMatchObject({ online: true, serverId: 'test-node' });
    expect(row.wsConnectionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(row.connectedAt).toBeInstanceOf(Date);
  });

  it('boots: Accepted with the configured interval, and everything it says about itself stored', async () => {
    const before = Date.now();
    const conf = await cp.boot();
    expect(conf.status).toBe('Accepted');
    expect(conf.interval).toBe(120);
    expect(Math.abs(Date.parse(conf.currentTime) - before)).toBeLessThan(60_000);
    expect(await chargePoint()).toMatchObject({
      vendor: 'SimVendor',
      model: 'SimModel-22',
      chargePointSerialNumber: 'SIM-SN-1',
      firmwareVersion: '4.5.6',
      iccid: '89883030000012345678',
      imsi: '262011234567890',
      meterType: 'SimMeter',
      meterSerialNumber: 'MTR-9',
    });
  });

  it('reports status for the charger and each connector, kept as latest state and as history', async () => {
    await cp.statusNotification(0, 'Available');
    await cp.statusNotification(1, 'Available');
    await cp.statusNotification(2, 'Faulted', { errorCode: 'GroundFailure', info: 'RCD tripped', vendorId: 'SimVendor', vendorErrorCode: 'E42', timestamp: '2026-11-22T10:00:00.000Z' });
    const latest = await t.db.selectFrom('connectorStatus').selectAll().where('chargePointId', '=', ID).orderBy('connectorId').execute();
    expect(latest.map((s) => [s.connectorId, s.status, s.errorCode])).toEqual([
      [0, 'Available', 'NoError'],
      [1, 'Available', 'NoError'],
      [2, 'Faulted', 'GroundFailure'],
    ]);
    expect(latest[2]).toMatchObject({ info: 'RCD tripped', vendorId: 'SimVendor', vendorErrorCode: 'E42' });
    expect(latest[2]!.statusAt.toISOString()).toBe('2026-11-22T10:00:00.000Z');
  });

  it('heartbeats: the server time comes back and last-seen moves', async () => {
    const before = (await chargePoint()).lastSeenAt!;
    await new Promise((r) => setTimeout(r, 20));
    const conf = await cp.heartbeat();
    expect(Date.parse(conf.currentTime)).toBeGreaterThan(before.getTime());
    expect((await chargePoint()).lastSeenAt!.getTime()).toBeGreaterThan(before.getTime());
  });

  it('authorizes known, unknown and blocked tags from the id tag table', async () => {
    expect((await cp.authorize('RFID-CYCLE')).idTagInfo).toEqual({ status: 'Accepted', expiryDate: '2032-01-01T00:00:00.000Z' });
    expect((await cp.authorize('NOT-A-TAG')).idTagInfo).toEqual({ status: 'Invalid' });
  });

  let transactionId: number;

  it('starts a transaction: the charger\'s meterStart and timestamp are stored', async () => {
    ({ transactionId } = await cp.startCharging(1, 'RFID-CYCLE'));
    const tx = await t.db.selectFrom('transaction').selectAll().where('id', '=', transactionId).executeTakeFirstOrThrow();
    const req = lastSent('StartTransaction');
    expect(tx).toMatchObject({ chargePointId: ID, connectorId: 1, idTag: 'RFID-CYCLE', idTagStatus: 'Accepted', stopTimestamp: null });
    expect(tx.meterStart).toBe(req.meterStart);
    expect(tx.startTimestamp.toISOString()).toBe(req.timestamp);
    const statuses = await t.db.selectFrom('statusEvent').select('status').where('chargePointId', '=', ID).where('connectorId', '=', 1).orderBy('id').execute();
    expect(statuses.map((s) => s.status)).toEqual(['Available', 'Preparing', 'Charging']);
  });

  it('stores every sampled value of MeterValues exactly, linked to the transaction', async () => {
    for (let i = 0; i < 3; i++) await cp.meterValues(1, transactionId);
    await cp.meterValues(1, transactionId, [
      { value: '7.1', measurand: 'Power.Active.Import', unit: 'kW', context: 'Sample.Periodic', phase: 'L1', location: 'Outlet', format: 'Raw' },
    ]);
    const rows = await t.db.selectFrom('meterValue').selectAll().where('transactionId', '=', transactionId).orderBy('readingId').orderBy('valueIndex').execute();
    expect(rows).toHaveLength(3 * 6 + 1);
    expect(new Set(rows.slice(0, 6).map((r) => r.measurand))).toEqual(
      new Set(['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Voltage', 'SoC', 'Temperature']),
    );
    expect(rows.at(-1)).toMatchObject({ value: '7.1', unit: 'kW', phase: 'L1', location: 'Outlet', format: 'Raw', context: 'Sample.Periodic', connectorId: 1 });
    // The last model sample the simulator sent, value for value, as the exact decimal text it sent.
    const modelSample = sent.filter(([a]) => a === 'MeterValues').at(-2)![1] as {
      meterValue: Array<{ timestamp: string; sampledValue: Array<{ value: string; measurand: string; unit: string }> }>;
    };
    const stored = rows.slice(12, 18);
    expect(stored.map((r) => [r.measurand, Number(r.value), r.unit])).toEqual(
      modelSample.meterValue[0]!.sampledValue.map((v) => [v.measurand, Number(v.value), v.unit]),
    );
    expect(stored[0]!.sampledAt.toISOString()).toBe(modelSample.meterValue[0]!.timestamp);
  });

  it('stops the transaction with meterStop, timestamp, reason and transactionData', async () => {
    const conf = await cp.stopCharging(1, 'Local'); // a driver badging out sends their tag
    expect(conf.idTagInfo?.status).toBe('Accepted');
    const tx = await t.db.selectFrom('transaction').selectAll().where('id', '=', transactionId).executeTakeFirstOrThrow();
    const req = lastSent('StopTransaction');
    expect(tx).toMatchObject({ stopReason: 'Local', meterStop: req.meterStop, stopIdTag: 'RFID-CYCLE' });
    expect(tx.stopTimestamp!.toISOString()).toBe(req.timestamp);
    expect(tx.stopTimestamp).toBeInstanceOf(Date);
    expect(tx.meterStop!).toBeGreaterThanOrEqual(tx.meterStart);
    const contexts = await t.db.selectFrom('meterValue').select('context').distinct().where('transactionId', '=', transactionId).execute();
    expect(contexts.map((c) => c.context).sort()).toEqual(['Sample.Periodic', 'Transaction.Begin', 'Transaction.End']);
    const statuses = await t.db.selectFrom('statusEvent').select('status').where('chargePointId', '=', ID).where('connectorId', '=', 1).orderBy('id').execute();
    expect(statuses.map((s) => s.status).slice(-2)).toEqual(['Finishing', 'Available']);
  });

  it('records DataTransfer, firmware and diagnostics notifications', async () => {
    expect(await cp.dataTransfer('com.unknown', 'hello', '{"a":1}')).toEqual({ status: 'UnknownVendorId' });
    const dt = await t.db.selectFrom('dataTransfer').selectAll().where('chargePointId', '=', ID).executeTakeFirstOrThrow();
    expect(dt).toMatchObject({ direction: 'incoming', vendorId: 'com.unknown', messageId: 'hello', data: '{"a":1}', status: 'UnknownVendorId' });
    await cp.firmwareStatusNotification('Downloading');
    await cp.diagnosticsStatusNotification('Uploaded');
    expect(await chargePoint()).toMatchObject({ firmwareStatus: 'Downloading', diagnosticsStatus: 'Uploaded' });
  });

  it('goes offline when the charger disconnects', async () => {
    await cp.close();
    await eventually(async () => !(await chargePoint()).online);
    expect(t.app.ocpp.connections.get(ID)).toBeUndefined();
  });
});
