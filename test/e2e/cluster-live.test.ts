import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedChargePoint } from '../../simulators/charge-point.ts';
import { addLocations, basicFor, chargerPassword, createParty, subscribeSse } from '../fixtures/graphql-client.ts';
import { startTestApp, type TestApp } from '../fixtures/test-app.ts';

// The live map across a cluster: the charger's socket on node A, the map app's subscription on node B
// (PostgreSQL LISTEN/NOTIFY in CI; the in-process bus on PGlite).
let a: TestApp;
let b: TestApp;
let charger: SimulatedChargePoint;
let locationId = 0;

beforeAll(async () => {
  a = await startTestApp({ env: { NODE_ID: 'live-a' } });
  b = await startTestApp({ env: { NODE_ID: 'live-b' }, nodeOf: a });
  const party = await createParty(a, 'CLV');
  [locationId] = (await addLocations(a, party, [
    { name: 'Cluster Site', lat: 14.55, lng: 121.02, publish: true, evses: [{ uid: 'CL-LIVE-1', connectors: [{ standard: 'TYPE_2' }] }] },
  ])) as [number];
  charger = new SimulatedChargePoint({ url: a.ocppUrl, identity: 'CL-LIVE-1', password: await chargerPassword(a, party, 'CL-LIVE-1'), connectors: 1 });
  await charger.connect();
  await charger.boot();
});
afterAll(async () => {
  await charger?.close({ force: true }).catch(() => {});
  await b?.close();
  await a?.close();
});

describe('connector_status_changed across nodes', () => {
  it('a status reported to node A reaches a subscription open on node B', async () => {
    const sub = await subscribeSse(b, `subscription { connector_status_changed(location_ids: [${locationId}]) { location_id evse_uid connector_id status } }`, await basicFor(b));
    try {
      await new Promise((r) => setTimeout(r, 300)); // registered with B's feed
      await charger.statusNotification(1, 'Charging');
      expect((await sub.next()).data.connector_status_changed).toEqual({ location_id: locationId, evse_uid: 'CL-LIVE-1', connector_id: 1, status: 'CHARGING' });
    } finally {
      sub.close();
    }
  });
});
