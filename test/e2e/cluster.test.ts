import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedChargePoint } from '../../simulators/charge-point.ts';
import * as chargePointService from '../../src/charge-points/charge-point.service.ts';
import { operatorClient, type OperatorClient } from '../fixtures/operator-client.ts';
import { eventually, startTestApp, type TestApp } from '../fixtures/test-app.ts';

// Two nodes of one cluster on one database: on PostgreSQL (CI) each with its own pool and LISTEN
// connection, as two processes would have; on PGlite in one process with the in-process bus.
const ID = 'CP-CLUSTER-1';
let a: TestApp;
let b: TestApp;
let viaA: OperatorClient;
let viaB: OperatorClient;
const chargers: SimulatedChargePoint[] = [];

beforeAll(async () => {
  // Every node of a cluster runs the same timings; short ones make the dead-node sweep observable here.
  const env = { JWT_SECRET: 'cluster-test-secret-0123456789abcdef0123', CLUSTER_HEARTBEAT_INTERVAL_S: '0.5', CLUSTER_NODE_TIMEOUT_S: '4' };
  a = await startTestApp({ env: { ...env, NODE_ID: 'node-a' } });
  b = await startTestApp({ env: { ...env, NODE_ID: 'node-b' }, nodeOf: a });
  await chargePointService.register(a.db, { id: ID, password: null });
  viaA = await operatorClient(a);
  viaB = await operatorClient(b);
});
afterAll(async () => {
  await Promise.all(chargers.map((c) => c.close().catch(() => undefined)));
  await b.close();
  await a.close();
});

async function connectTo(node: TestApp): Promise<SimulatedChargePoint> {
  const cp = new SimulatedChargePoint({ url: node.ocppUrl, identity: ID, meterValueIntervalSec: 0 });
  chargers.push(cp);
  await cp.connect();
  await cp.boot();
  await eventually(async () => (await chargePointService.get(a.db, ID))?.serverId === node.config.nodeId);
  return cp;
}

describe('a command asked on any node reaches the charger', () => {
  let onA: SimulatedChargePoint;

  it('charger on A, command asked on B: answered, executed on A', async () => {
    onA = await connectTo(a);
    const res = await viaB.request('POST', `/chargers/${ID}/commands/GetConfiguration`, { key: ['HeartbeatInterval'] });
    expect(res.status).toBe(200);
    expect(res.body.data.response.configurationKey).toEqual([expect.objectContaining({ key: 'HeartbeatInterval' })]);
    const [journal] = (await viaB.request('GET', `/chargers/${ID}/commands`)).body.data;
    expect(journal).toMatchObject({ action: 'GetConfiguration', status: 'answered', executing_node: 'node-a' });
  });

  it('the same command asked on A runs locally', async () => {
    const res = await viaA.request('POST', `/chargers/${ID}/commands/TriggerMessage`, { requestedMessage: 'Heartbeat' });
    expect(res.body.data.response).toEqual({ status: 'Accepted' });
  });

  it('the charger moves to B: A closes its old socket, and commands asked on A reach it on B', async () => {
    const oldClosed = onA.waitFor('close');
    const onB = await connectTo(b);
    await oldClosed; // a one-socket-per-charger rule across the cluster
    await eventually(async () => a.app.ocpp.connections.get(ID) === undefined);
    expect(await chargePointService.get(a.db, ID)).toMatchObject({ online: true, serverId: 'node-b' });

    const res = await viaA.request('POST', `/chargers/${ID}/commands/ChangeConfiguration`, { key: 'HeartbeatInterval', value: '120' });
    expect(res.status).toBe(200);
    expect(res.body.data.response).toEqual({ status: 'Accepted' });
    expect(onB.configuration.get('HeartbeatInterval')).toBe('120');
    const [journal] = (await viaA.request('GET', `/chargers/${ID}/commands`)).body.data;
    expect(journal).toMatchObject({ status: 'answered', executing_node: 'node-b' });
  });

  it('remote start asked on A starts a transaction on the charger held by B', async () => {
    await a.db.insertInto('idTag').values({ idTag: 'CLUSTER-TAG' }).execute();
    const res = await viaA.request('POST', `/chargers/${ID}/commands/RemoteStartTransaction`, { idTag: 'CLUSTER-TAG', connectorId: 1 });
    expect(res.body.data.response).toEqual({ status: 'Accepted' });
    const active = await eventually(async () => {
      const list = (await viaA.request('GET', `/transactions?charge_point_id=${ID}&active=true`)).body.data;
      return list.length > 0 && list;
    });
    expect(active[0]).toMatchObject({ connector_id: 1, id_tag: 'CLUSTER-TAG' });
  });

  it('a charger whose node stopped heartbeating is released by the sweep of the others', async () => {
    // Node "node-gone" held a charger and died without a word: no heartbeat row newer than the timeout.
    await chargePointService.register(a.db, { id: 'CP-ORPHAN', password: null });
    await chargePointService.connectedMany(a.db, [{ id: 'CP-ORPHAN', serverId: 'node-gone', wsConnectionId: 'ws-lost', at: new Date() }]);
    await eventually(async () => (await chargePointService.get(a.db, 'CP-ORPHAN'))?.online === false, 5000);
    expect((await chargePointService.get(a.db, ID))?.online).toBe(true); // held by a live node
  });
});
