import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedChargePoint } from '../../simulators/charge-point.ts';
import { eventually, startTestApp, type TestApp } from '../fixtures/test-app.ts';
import { addLocations, basicFor, bearerFor, chargerPassword, createParty, gql, offsetKm, subscribeSse } from '../fixtures/graphql-client.ts';

// Live status: a simulated charger's StatusNotifications show in the next query and reach an open
// subscription (Server-Sent Events on /graphql).

let t: TestApp;
let basic: string;
let bearer: string;
let charger: SimulatedChargePoint;
let here = 0;
let elsewhere = 0;
let hidden = 0;
const SPOT = { lat: 14.6, lng: 121.05 };

beforeAll(async () => {
  t = await startTestApp();
  const party = await createParty(t, 'LIV');
  const far = offsetKm(SPOT.lat, SPOT.lng, 50, 0);
  const ids = await addLocations(t, party, [
    { name: 'Live Site', ...SPOT, publish: true, evses: [{ uid: 'LIVE-1', connectors: [{ standard: 'TYPE_2' }, { standard: 'CCS2', power_type: 'DC' }] }] },
    { name: 'Far Site', ...far, publish: true, evses: [{ uid: 'LIVE-2', connectors: [{ standard: 'TYPE_2' }] }] },
    { name: 'Unpublished Site', ...offsetKm(SPOT.lat, SPOT.lng, 0.5, 0), evses: [{ uid: 'LIVE-3', connectors: [{ standard: 'TYPE_2' }] }] },
  ]);
  [here, elsewhere, hidden] = ids as [number, number, number];
  basic = await basicFor(t);
  bearer = await bearerFor(t, 'CPO_OWNER', party.id);
  charger = new SimulatedChargePoint({ url: t.ocppUrl, identity: 'LIVE-1', password: await chargerPassword(t, party, 'LIVE-1'), connectors: 2 });
  await charger.connect();
  expect((await charger.boot()).status).toBe('Accepted');
});

afterAll(async () => {
  await charger?.close({ force: true }).catch(() => {});
  await t?.close();
});

const LIVE_QUERY = `{ location(id: $ID) { evses { uid status server_id current_ws_connection_id connectors { connector_id status } } } }`;

async function evseNow(): Promise<{ uid: string; status: string; server_id: string | null; current_ws_connection_id: string | null; connectors: Array<{ connector_id: number; status: string }> }> {
  const res = await gql(t, LIVE_QUERY.replace('$ID', String(here)), { authorization: bearer });
  expect(res.body.errors).toBeUndefined();
  return res.body.data.location.evses[0];
}

/** An SSE subscription over fetch: `next()` resolves with the next `event: next` payload. */
const subscribe = (query: string, authorization?: string) => subscribeSse(t, query, authorization);

const CHANGE_FIELDS = 'location_id evse_uid connector_id ocpp_status status error_code at';

describe('live connector status', () => {
  it('the next query shows what the charger reported: connectors, EVSE, node and connection', async () => {
    // Booted, nothing reported yet.
    expect((await evseNow()).connectors.map((c) => c.status)).toEqual(['UNKNOWN', 'UNKNOWN']);
    await charger.statusNotification(0, 'Available');
    await charger.statusNotification(1, 'Available');
    await charger.statusNotification(2, 'Preparing');
    const evse = await evseNow();
    expect(evse).toMatchObject({ uid: 'LIVE-1', status: 'CHARGING', server_id: 'test-node', connectors: [{ connector_id: 1, status: 'AVAILABLE' }, { connector_id: 2, status: 'CHARGING' }] });
    expect(evse.current_ws_connection_id).toEqual(expect.any(String));
    await charger.statusNotification(2, 'Available');
    expect((await evseNow()).status).toBe('AVAILABLE');
    await charger.statusNotification(1, 'Reserved');
    await charger.statusNotification(2, 'Unavailable');
    expect((await evseNow()).connectors.map((c) => c.status)).toEqual(['RESERVED', 'INOPERATIVE']);
    await charger.statusNotification(1, 'Available');
    await charger.statusNotification(2, 'Available');
  });

  it('an open subscription by location id or by radius receives the change; others do not', async () => {
    const byId = await subscribe(`subscription { connector_status_changed(location_ids: [${here}]) { ${CHANGE_FIELDS} } }`, basic);
    const byRadius = await subscribe(`subscription { connector_status_changed(lat: ${SPOT.lat}, lng: ${SPOT.lng}, distance: 5) { ${CHANGE_FIELDS} } }`, bearer);
    const other = await subscribe(`subscription { connector_status_changed(location_ids: [${elsewhere}]) { ${CHANGE_FIELDS} } }`, basic);
    try {
      await new Promise((r) => setTimeout(r, 200)); // the subscriptions are registered with the feed
      await charger.statusNotification(2, 'Charging');
      const expected = { location_id: here, evse_uid: 'LIVE-1', connector_id: 2, ocpp_status: 'Charging', status: 'CHARGING', error_code: 'NoError' };
      const first = await byId.next();
      expect(first?.errors).toBeUndefined();
      expect(first.data.connector_status_changed).toMatchObject(expected);
      expect(new Date(first.data.connector_status_changed.at).toISOString()).toBe(first.data.connector_status_changed.at);
      expect((await byRadius.next()).data.connector_status_changed).toMatchObject(expected);
      // …and the next query agrees.
      expect((await evseNow()).status).toBe('CHARGING');

      await charger.statusNotification(0, 'Faulted', { errorCode: 'GroundFailure' });
      expect((await byId.next()).data.connector_status_changed).toMatchObject({ connector_id: 0, ocpp_status: 'Faulted', status: 'OUTOFORDER', error_code: 'GroundFailure' });
      expect((await evseNow()).status).toBe('OUTOFORDER');
      expect(await other.next(500)).toBeUndefined();
      await charger.statusNotification(0, 'Available');
      expect((await byId.next()).data.connector_status_changed).toMatchObject({ connector_id: 0, status: 'AVAILABLE' });
    } finally {
      byId.close();
      byRadius.close();
      other.close();
    }
  });

  it('refuses a subscription without credentials, without a filter, or (Basic) to an unpublished location\'s changes', async () => {
    const anonymous = await subscribe(`subscription { connector_status_changed(location_ids: [${here}]) { status } }`);
    expect((await anonymous.next()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    anonymous.close();
    const unfiltered = await subscribe('subscription { connector_status_changed { status } }', basic);
    expect((await unfiltered.next()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    unfiltered.close();
    const noRadius = await subscribe(`subscription { connector_status_changed(lat: 14, lng: 121) { status } }`, basic);
    expect((await noRadius.next()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    noRadius.close();
    // The unpublished location is 0.5 km away: the radius subscription of an app must still not see it.
    const nearby = await subscribe(`subscription { connector_status_changed(location_ids: [${hidden}, ${here}]) { location_id connector_id } }`, basic);
    try {
      await new Promise((r) => setTimeout(r, 200));
      await charger.statusNotification(1, 'Charging');
      expect((await nearby.next()).data.connector_status_changed).toEqual({ location_id: here, connector_id: 1 });
    } finally {
      nearby.close();
    }
  });

  it('a charger that goes offline reads UNKNOWN, and open subscriptions are told', async () => {
    const byId = await subscribe(`subscription { connector_status_changed(location_ids: [${here}]) { ${CHANGE_FIELDS} } }`, basic);
    try {
      await new Promise((r) => setTimeout(r, 200));
      await charger.close();
      expect((await byId.next()).data.connector_status_changed).toMatchObject({
        location_id: here, evse_uid: 'LIVE-1', connector_id: 0, ocpp_status: 'Offline', status: 'UNKNOWN',
      });
    } finally {
      byId.close();
    }
    await eventually(async () => (await evseNow()).status === 'UNKNOWN');
    const evse = await evseNow();
    expect(evse).toMatchObject({ server_id: null, current_ws_connection_id: null, connectors: [{ status: 'UNKNOWN' }, { status: 'UNKNOWN' }] });
  });
});
