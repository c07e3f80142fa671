import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/test-app.ts';
import { addLocations, basicFor, bearerFor, createParty, gql, type SeedLocation } from '../fixtures/graphql-client.ts';

// No N+1: one request costs a bounded number of SQL statements whatever its page size. The app's
// database handle counts every statement it executes (a kysely plugin, the real database underneath).

class StatementCounter implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.count++;
    return args.result;
  }
}

const counter = new StatementCounter();
let t: TestApp;
let admin: string;
let basic: string;

const FULL_LOCATION = `id cpo_owner_id name address distance address_lat address_lng city province region postal_code country_code images publish date_created date_modified
  facilities { id code description } parking_restrictions { id code description } parking_types { id code description }
  evses { uid evse_id serial_number meter_type status cpo_location_id current_ws_connection_id server_id date_created
    capabilities { id code description } payment_types { id code description }
    connectors { id evse_uid connector_id standard format power_type max_voltage max_amperage max_electric_power connector_type rate_setting status date_created date_modified } }`;

beforeAll(async () => {
  t = await startTestApp({
    wrapDb: (db) => db.withPlugin(counter),
    // No background statements while counting: the timers wait an hour.
    env: { MAINTENANCE_INTERVAL_S: '3600', CLUSTER_HEARTBEAT_INTERVAL_S: '3600', CLUSTER_NODE_TIMEOUT_S: '7300', BECKN_DISPATCH_INTERVAL_MS: '3600000' },
  });
  const party = await createParty(t, 'CNT');
  const locations: SeedLocation[] = Array.from({ length: 55 }, (_, i) => ({
    name: `Site ${String(i).padStart(2, '0')}`, lat: 14.5 + i * 0.001, lng: 121, city: 'Makati', publish: true,
    facilities: ['CAFE', 'WIFI'], parking_types: ['INDOOR'], parking_restrictions: ['CUSTOMERS'],
    evses: [0, 1].map((n) => ({ uid: `CNT-${i}-${n}`, capabilities: ['QR_READER'], payment_types: ['GCASH'], connectors: [{ standard: 'TYPE_2' }, { standard: 'CCS2', power_type: 'DC' }] })),
  }));
  const ids = await addLocations(t, party, locations);
  await t.db.insertInto('locationPhoto').values(ids.map((id) => ({ locationId: id, fileName: `p-${id}.jpg`, contentType: 'image/jpeg', sizeBytes: 1 }))).execute();
  admin = await bearerFor(t, 'ADMIN');
  basic = await basicFor(t);
});

afterAll(async () => {
  await t?.close();
});

async function statementsOf(query: string, authorization: string, listField: string, size: number): Promise<number> {
  const before = counter.count;
  const res = await gql(t, query, { authorization, variables: { n: size } });
  const used = counter.count - before;
  expect(res.body.errors).toBeUndefined();
  const list = res.body.data[listField] as any[];
  expect(list).toHaveLength(size);
  return used;
}

describe('statements per request', () => {
  it('locations: the same bounded count for 5 and 50 locations with every nested list', async () => {
    const query = `query($n: Int) { locations(limit: $n) { ${FULL_LOCATION} } }`;
    const five = await statementsOf(query, admin, 'locations', 5);
    const fifty = await statementsOf(query, admin, 'locations', 50);
    // session lookup, page, evses, connectors, photos, 3 location + 2 EVSE reference lists
    expect(five).toBe(fifty);
    expect(fifty).toBeLessThanOrEqual(10);
  });

  it('evse: the same bounded count for 5 and 50 EVSEs, including their locations', async () => {
    // (Not locations → evses again: how many of those EVSEs the first level already loaded depends on the page.)
    const query = `query($n: Int) { evse(limit: $n, order_by: "location") {
      uid status connectors { status } capabilities { code } payment_types { code }
      locations { id name images facilities { code } parking_types { code } parking_restrictions { code } } } }`;
    const five = await statementsOf(query, admin, 'evse', 5);
    const fifty = await statementsOf(query, admin, 'evse', 50);
    expect(five).toBe(fifty);
    // session, page, connectors, 2 EVSE lists, locations, photos, 3 location lists
    expect(fifty).toBeLessThanOrEqual(10);
  });

  it('find_ev_filter_locations: the same bounded count for 5 and 50', async () => {
    const query = `query($n: Int) { find_ev_filter_locations(lat: 14.5, lng: 121, facilities: ["CAFE"], limit: $n) { ${FULL_LOCATION} } }`;
    const five = await statementsOf(query, basic, 'find_ev_filter_locations', 5);
    const fifty = await statementsOf(query, basic, 'find_ev_filter_locations', 50);
    expect(five).toBe(fifty);
    // API client lookup, reference codes, geo search, locations by id, then the nested lists
    expect(fifty).toBeLessThanOrEqual(12);
  });
});
