import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedChargePoint, type SimulatedChargePointOptions } from '../../simulators/charge-point.ts';
import * as chargePointService from '../../src/charge-points/charge-point.service.ts';
import { eventually, startTestApp, type TestApp } from '../fixtures/test-app.ts';

const PASSWORD = 'connections-password-1';
let t: TestApp;
const opened: SimulatedChargePoint[] = [];

function charger(options: Partial<SimulatedChargePointOptions> & { identity: string }): SimulatedChargePoint {
  const cp = new SimulatedChargePoint({ url: t.ocppUrl, meterValueIntervalSec: 0, ...options });
  opened.push(cp);
  return cp;
}
const row = (id: string) => t.db.selectFrom('chargePoint').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

beforeAll(async () => {
  // A 1 s ping interval makes dead-socket detection observable in a test.
  t = await startTestApp({ env: { OCPP_PING_INTERVAL_S: '1' } });
  await chargePointService.register(t.db, { id: 'CP-PW', password: PASSWORD });
  await chargePointService.register(t.db, { id: 'CP-OPEN', password: null });
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((cp) => cp.close({ force: true }).catch(() => undefined)));
});
afterAll(() => t.close());

describe('who may connect', () => {
  it('refuses a wrong or missing password with 401 at the upgrade', async () => {
    await expect(charger({ identity: 'CP-PW', password: 'wrong-password-000000' }).connect()).rejects.toMatchObject({ code: 401 });
    await expect(charger({ identity: 'CP-PW' }).connect()).rejects.toMatchObject({ code: 401 });
    expect((await row('CP-PW')).online).toBe(false);
  });

  it('accepts the right password (security profile 1)', async () => {
    const cp = charger({ identity: 'CP-PW', password: PASSWORD });
    await cp.connect();
    expect((await cp.boot()).status).toBe('Accepted');
  });

  it('refuses unknown identities by default, creating nothing', async () => {
    await expect(charger({ identity: 'CP-STRANGER' }).connect()).rejects.toMatchObject({ code: 401 });
    expect(await chargePointService.get(t.db, 'CP-STRANGER')).toBeUndefined();
  });

  it('refuses a connection without the ocpp1.6 subprotocol, and paths outside /ocpp/', async () => {
    const attempt = (url: string, protocols: string[]) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, protocols);
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('error', () => resolve(-1));
      });
    expect(await attempt(`${t.ocppUrl}/CP-OPEN`, ['ocpp2.0.1'])).toBe(400);
    expect(await attempt(t.ocppUrl.replace('/ocpp', '/other') + '/CP-OPEN', ['ocpp1.6'])).toBe(404);
  });
});

describe('connections over time', () => {
  it('reconnects: online again with a new connection id', async () => {
    const first = charger({ identity: 'CP-OPEN' });
    await first.connect();
    const firstConn = (await eventually(async () => (await row('CP-OPEN')).online && row('CP-OPEN'))).wsConnectionId;
    await first.close();
    await eventually(async () => !(await row('CP-OPEN')).online);

    const second = charger({ identity: 'CP-OPEN' });
    await second.connect();
    const after = await eventually(async () => {
      const r = await row('CP-OPEN');
      return r.online && r.wsConnectionId !== firstConn && r;
    });
    expect(after.serverId).toBe('test-node');
    expect((await second.boot()).status).toBe('Accepted');
  });

  it('a second connection with the same identity replaces the first cleanly', async () => {
    const old = charger({ identity: 'CP-OPEN' });
    await old.connect();
    await eventually(async () => (await row('CP-OPEN')).online);
    const oldConn = t.app.ocpp.connections.get('CP-OPEN')!.wsConnectionId;
    const oldClosed = old.waitFor<{ code?: number }>('close');

    const replacement = charger({ identity: 'CP-OPEN' });
    await replacement.connect();
    expect((await oldClosed).code).toBe(1000);
    const current = await eventually(async () => {
      const conn = t.app.ocpp.connections.get('CP-OPEN');
      return conn && conn.wsConnectionId !== oldConn && conn;
    });
    // The old socket's close must not mark the charger offline: the new one holds it now.
    await new Promise((r) => setTimeout(r, 100));
    expect(await row('CP-OPEN')).toMatchObject({ online: true, wsConnectionId: current.wsConnectionId });
    expect((await replacement.heartbeat()).currentTime).toBeTruthy();
    expect(t.app.ocpp.connections.size).toBe(1);
  });

  it('finds a dead socket by ping/pong and marks the charger offline', async () => {
    // A charger that vanished without closing: its socket stays open but never answers a ping.
    const ws = new WebSocket(`${t.ocppUrl}/CP-OPEN`, ['ocpp1.6'], { autoPong: false });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const conn = await eventually(async () => {
      const r = await row('CP-OPEN');
      return r.online && r;
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await eventually(async () => !(await row('CP-OPEN')).online, 6000);
    expect(await closed).toBeGreaterThan(0);
    expect((await row('CP-OPEN')).disconnectedAt!.getTime()).toBeGreaterThan(conn.connectedAt!.getTime());
  });
});

describe('transactions a charger resends or cannot match', () => {
  it('a resent StartTransaction gets the same transactionId and creates nothing new', async () => {
    const cp = charger({ identity: 'CP-OPEN' });
    await cp.connect();
    const req = { connectorId: 2, idTag: 'ANY-TAG', meterStart: 1500, timestamp: '2026-11-22T08:00:00.000Z' };
    const first = await cp.startTransaction(req);
    const again = await cp.startTransaction(req);
    expect(again.transactionId).toBe(first.transactionId);
    expect(first.idTagInfo.status).toBe('Invalid'); // unknown tag: recorded anyway, the charger is told
    const rows = await t.db.selectFrom('transaction').select('id').where('chargePointId', '=', 'CP-OPEN').where('connectorId', '=', 2).execute();
    expect(rows).toHaveLength(1);
  });

  it('a stop for an unknown transaction is accepted and kept for an operator', async () => {
    const cp = charger({ identity: 'CP-OPEN' });
    await cp.connect();
    const conf = await cp.stopTransaction({ transactionId: 987_654, meterStop: 4321, timestamp: '2026-11-22T09:00:00.000Z', reason: 'PowerLoss' });
    expect(conf).toEqual({});
    const anomaly = await t.db.selectFrom('transactionStopAnomaly').selectAll().where('transactionId', '=', 987_654).executeTakeFirstOrThrow();
    expect(anomaly).toMatchObject({ chargePointId: 'CP-OPEN', kind: 'unknown_transaction', meterStop: 4321, reason: 'PowerLoss' });
  });
});

describe('unknown chargers under the pending policy', () => {
  let pendingApp: TestApp;
  beforeAll(async () => {
    pendingApp = await startTestApp({ env: { OCPP_UNKNOWN_CHARGERS: 'pending', OCPP_BOOT_RETRY_INTERVAL_S: '30' } });
  });
  afterAll(() => pendingApp.close());

  it('accepts the socket, answers Pending until an operator registers the charger, then Accepted', async () => {
    const cp = new SimulatedChargePoint({ url: pendingApp.ocppUrl, identity: 'CP-NEWCOMER', meterValueIntervalSec: 0 });
    opened.push(cp);
    await cp.connect();
    const pending = await cp.boot();
    expect(pending).toMatchObject({ status: 'Pending', interval: 30 });
    expect(await chargePointService.get(pendingApp.db, 'CP-NEWCOMER')).toMatchObject({ registrationStatus: 'Pending', vendor: expect.any(String) });

    await chargePointService.register(pendingApp.db, { id: 'CP-NEWCOMER', password: null });
    expect((await cp.boot()).status).toBe('Accepted');
  });
});
