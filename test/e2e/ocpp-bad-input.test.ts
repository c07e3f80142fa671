import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedChargePoint } from '../../simulators/charge-point.ts';
import * as chargePointService from '../../src/charge-points/charge-point.service.ts';
import type { DataTransferVendorHandler } from '../../src/ocpp/data-transfer-vendors.ts';
import { connectRaw, type RawOcppClient } from '../fixtures/raw-ocpp-client.ts';
import { startTestApp, type TestApp } from '../fixtures/test-app.ts';

let t: TestApp;
let raw: RawOcppClient;
let neighbour: SimulatedChargePoint;

beforeAll(async () => {
  t = await startTestApp({
    env: { OCPP_MAX_FRAME_BYTES: '4096' },
    vendors: new Map<string, DataTransferVendorHandler>([
      ['com.example.broken', async () => { throw new Error('password=hunter2 at db.internal:5432'); }],
      ['com.example.echo', async ({ data }) => ({ status: 'Accepted', ...(data ? { data } : {}) })],
    ]),
  });
  for (const id of ['CP-BAD', 'CP-BIG', 'CP-GOOD']) await chargePointService.register(t.db, { id, password: null });
  raw = await connectRaw(t.ocppUrl, 'CP-BAD');
  neighbour = new SimulatedChargePoint({ url: t.ocppUrl, identity: 'CP-GOOD', meterValueIntervalSec: 0 });
  await neighbour.connect();
  await neighbour.boot();
});
afterAll(async () => {
  await raw.close();
  await neighbour.close();
  await t.close();
});

const bootReq = { chargePointVendor: 'V', chargePointModel: 'M' };

// [frame sent, expected message id in the CALLERROR, expected OCPP 1.6 error code]
const malformed: Array<[string, string, string, string]> = [
  ['not JSON at all', '{oops', '-1', 'FormationViolation'],
  ['a JSON object instead of an array', '{"a":1}', '-1', 'FormationViolation'],
  ['a message id that is not a string', '[2, 17, "Heartbeat", {}]', '-1', 'FormationViolation'],
  ['a message type that is not a number', '["2", "m4", "Heartbeat", {}]', '-1', 'FormationViolation'],
  // ocpp-rpc rejects the type before it reads the id, so this answer carries the id "-1".
  ['an unknown message type', '[7, "m5", "Heartbeat", {}]', '-1', 'ProtocolError'],
  ['an action that is not a string', '[2, "m6", 42, {}]', 'm6', 'FormationViolation'],
  ['an unknown action', '[2, "m7", "FlyToTheMoon", {}]', 'm7', 'NotImplemented'],
  ['a server-side action sent by a charger', '[2, "m8", "RemoteStartTransaction", {"idTag": "X"}]', 'm8', 'NotImplemented'],
  ['a missing required field', '[2, "m9", "BootNotification", {"chargePointVendor": "V"}]', 'm9', 'OccurrenceConstraintViolation'],
  ['a field of the wrong type', '[2, "m10", "StatusNotification", {"connectorId": "one", "errorCode": "NoError", "status": "Available"}]', 'm10', 'TypeConstraintViolation'],
  ['a string longer than the schema allows', `[2, "m11", "Authorize", {"idTag": "${'X'.repeat(21)}"}]`, 'm11', 'FormationViolation'],
  ['a property the schema does not know', '[2, "m12", "Heartbeat", {"extra": true}]', 'm12', 'PropertyConstraintViolation'],
  ['a timestamp that is not a date-time', '[2, "m13", "StartTransaction", {"connectorId": 1, "idTag": "T", "meterStart": 0, "timestamp": "yesterday"}]', 'm13', 'FormationViolation'],
  ['a value outside an enum', '[2, "m14", "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Dancing"}]', 'm14', 'FormationViolation'],
];

describe('malformed frames', () => {
  it.each(malformed)('%s gets the right CALLERROR', async (_name, frame, id, code) => {
    raw.send(frame);
    const reply = await raw.next();
    expect(reply).not.toBeNull();
    expect(reply!.slice(0, 3)).toEqual([4, id, code]);
    expect(typeof reply![3]).toBe('string');
  });

  it('CALLRESULT/CALLERROR frames for calls never made are ignored, and an empty frame too', async () => {
    raw.send('[3, "never-asked", {}]');
    raw.send('[4, "never-asked-2", "GenericError", "", {}]');
    raw.send('');
    expect(await raw.next(300)).toBeNull();
  });

  it('the same socket still works after all that', async () => {
    raw.send(JSON.stringify([2, 'ok-1', 'BootNotification', bootReq]));
    const reply = await raw.next();
    expect(reply).toMatchObject([3, 'ok-1', { status: 'Accepted', interval: expect.any(Number) }]);
  });

  it('other chargers never notice', async () => {
    const spam = Array.from({ length: 20 }, (_, i) => raw.send(`[2, "spam-${i}", "Heartbeat", {"x": ${i}}]`));
    const [hb, auth] = await Promise.all([neighbour.heartbeat(), neighbour.authorize('ANY'), ...spam]);
    expect(hb.currentTime).toBeTruthy();
    expect(auth.idTagInfo.status).toBe('Invalid');
    for (let i = 0; i < 20; i++) await raw.next();
  });

  it('stores a decimal reading exactly as sent (no float rounding)', async () => {
    raw.send(JSON.stringify([2, 'dec-1', 'MeterValues', {
      connectorId: 1,
      meterValue: [{ timestamp: '2026-11-22T10:00:00.000Z', sampledValue: [{ value: '9.1', measurand: 'Current.Import', unit: 'A' }, { value: '0.30000000000000004', measurand: 'Power.Factor' }] }],
    }]));
    expect(await raw.next()).toEqual([3, 'dec-1', {}]);
    const stored = await t.db.selectFrom('meterValue').select('value').where('chargePointId', '=', 'CP-BAD').orderBy('readingId').orderBy('valueIndex').execute();
    expect(stored.map((r) => r.value)).toEqual(['9.1', '0.30000000000000004']);
  });

  it('an internal failure is an InternalError without internal text', async () => {
    raw.send(JSON.stringify([2, 'dt-1', 'DataTransfer', { vendorId: 'com.example.broken', data: 'x' }]));
    const reply = await raw.next();
    expect(reply!.slice(0, 3)).toEqual([4, 'dt-1', 'InternalError']);
    expect(JSON.stringify(reply)).not.toMatch(/hunter2|db\.internal/);
    raw.send(JSON.stringify([2, 'dt-2', 'DataTransfer', { vendorId: 'com.example.echo', data: 'ping' }]));
    expect(await raw.next()).toEqual([3, 'dt-2', { status: 'Accepted', data: 'ping' }]);
  });

  it('an oversized frame closes that socket with 1009, and only that one', async () => {
    const big = await connectRaw(t.ocppUrl, 'CP-BIG');
    big.send(JSON.stringify([2, 'big-1', 'DataTransfer', { vendorId: 'com.example.echo', data: 'x'.repeat(10_000) }]));
    expect((await big.closed).code).toBe(1009);
    expect((await neighbour.heartbeat()).currentTime).toBeTruthy();
    raw.send(JSON.stringify([2, 'ok-2', 'Heartbeat', {}]));
    expect(await raw.next()).toMatchObject([3, 'ok-2', { currentTime: expect.any(String) }]);
  });

  it('a socket that keeps sending garbage is closed with 1002 after too many bad frames', async () => {
    const app = await startTestApp({ env: { OCPP_MAX_BAD_MESSAGES: '3' } });
    try {
      await chargePointService.register(app.db, { id: 'CP-NOISY', password: null });
      const noisy = await connectRaw(app.ocppUrl, 'CP-NOISY');
      for (let i = 0; i < 5; i++) noisy.send('garbage');
      expect((await noisy.closed).code).toBe(1002);
    } finally {
      await app.close();
    }
  });
});
