import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/test-app.ts';
import {
  addLocations, basicFor, bearerFor, createParty, errorCodes, gql, haversineKm, offsetKm, type Party,
} from '../fixtures/graphql-client.ts';

// The GraphQL map API of shared/spec/emsp-v2-cpo-api.md over real HTTP: every query with the spec's
// example arguments, auth, geo ordering and distances, every filter, bad arguments, the depth limit.

let t: TestApp;
let cpoA: Party;
let cpoB: Party;
let bearerA: string;
let bearerB: string;
let admin: string;
let basic: string;

// The spec's find_ev_filter_locations example point; test locations are placed at known distances from it.
const CENTER = { lat: 14.559192, lng: 121.017516 };
const at = (northKm: number, eastKm: number) => offsetKm(CENTER.lat, CENTER.lng, northKm, eastKm);
const P1 = at(1, 0);
const P5 = at(0, 5);
const P3 = at(-3, 0);
const P20 = at(0, -20);
const ids = { fiesta: 0, fiona: 0, hidden: 0, rival: 0 };

const LOCATION_FIELDS = `id cpo_owner_id name address distance address_lat address_lng city province region postal_code country_code images publish date_created date_modified
  facilities { id code description } parking_restrictions { id code description } parking_types { id code description }`;
const CONNECTOR_FIELDS = 'id evse_uid connector_id standard format power_type max_voltage max_amperage max_electric_power connector_type rate_setting status date_created date_modified';
const EVSE_FIELDS = `uid evse_id serial_number meter_type status cpo_location_id current_ws_connection_id server_id date_created
  capabilities { id code description } payment_types { id code description } connectors { ${CONNECTOR_FIELDS} }`;

/** The spec's "Query EVSEs" document, verbatim but for the arguments. */
const evseQuery = (args: string) => `query Evse { evse(${args}) { ${EVSE_FIELDS} locations { ${LOCATION_FIELDS} } } }`;
const FIND_EV_FILTER = (args: string) => `query Find_ev_filter_locations { find_ev_filter_locations(${args}) { ${LOCATION_FIELDS} evses { ${EVSE_FIELDS} } } }`;

beforeAll(async () => {
  t = await startTestApp();
  cpoA = await createParty(t, 'EVA');
  cpoB = await createParty(t, 'EVB');
  const aIds = await addLocations(t, cpoA, [
    {
      name: 'Fiesta Mall', ...P1, city: 'Makati', province: 'Metro Manila', publish: true,
      facilities: ['CAFE', 'WIFI'], parking_types: ['INDOOR'], parking_restrictions: ['CUSTOMERS'],
      evses: [{ uid: 'GQL-A1', capabilities: ['QR_READER', 'CREDIT_DEBIT_PAYABLE'], payment_types: ['GCASH', 'MAYA'], connectors: [{ standard: 'TYPE_2' }, { standard: 'CCS2', power_type: 'DC' }] }],
    },
    {
      name: 'Fiona Hub', ...P5, city: 'Pasig', province: 'Metro Manila', publish: true,
      facilities: ['CAFE'], parking_types: ['OUTDOOR'],
      evses: [{ uid: 'GQL-A2', capabilities: ['QR_READER'], payment_types: ['GCASH'], connectors: [{ standard: 'CHADEMO', power_type: 'DC' }] }],
    },
    // Not published: the public finders must skip it although it lies between the others.
    { name: 'Hidden Lot', ...P3, city: 'Makati', province: 'Metro Manila', facilities: ['CAFE', 'WIFI'], evses: [{ uid: 'GQL-A3', connectors: [{ standard: 'TYPE_2' }] }] },
  ]);
  [ids.fiesta, ids.fiona, ids.hidden] = aIds as [number, number, number];
  const bIds = await addLocations(t, cpoB, [
    {
      name: 'Fifth Rival Station', ...P20, city: 'Cabuyao', province: 'Laguna', publish: true,
      facilities: ['WIFI'], parking_types: ['INDOOR'],
      evses: [{ uid: 'GQL-B1', capabilities: ['PRIVILEGE_AND_LOYALTY'], payment_types: ['MAYA'], connectors: [{ standard: 'GBT', power_type: 'DC' }] }],
    },
  ]);
  ids.rival = bIds[0]!;
  await t.db.insertInto('locationPhoto').values({ locationId: ids.fiesta, fileName: 'fiesta-front.jpg', contentType: 'image/jpeg', sizeBytes: 100 }).execute();
  bearerA = await bearerFor(t, 'CPO_OWNER', cpoA.id);
  bearerB = await bearerFor(t, 'CPO_OWNER', cpoB.id);
  admin = await bearerFor(t, 'ADMIN');
  basic = await basicFor(t);
});

afterAll(async () => {
  await t?.close();
});

describe('evse', () => {
  it('answers the spec example (location_name "Fi", order_by location, DESC) with the CPO\'s own EVSEs and every field', async () => {
    const res = await gql(t, evseQuery('location_name: "Fi", order_by: "location", order: "DESC"'), { authorization: bearerA });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const evses = res.body.data.evse;
    // "Fifth Rival Station" matches "Fi" too, but belongs to CPO B.
    expect(evses.map((e: any) => e.uid)).toEqual(['GQL-A2', 'GQL-A1']);
    const a1 = evses[1];
    expect(a1).toMatchObject({
      uid: 'GQL-A1', evse_id: null, serial_number: null, meter_type: 'AC', status: 'UNKNOWN', cpo_location_id: ids.fiesta,
      current_ws_connection_id: null, server_id: null,
      capabilities: [
        { id: expect.any(Number), code: 'CREDIT_DEBIT_PAYABLE', description: 'Credit/debit payable' },
        { id: expect.any(Number), code: 'QR_READER', description: 'QR reader' },
      ],
      payment_types: [{ id: expect.any(Number), code: 'GCASH', description: 'GCash' }, { id: expect.any(Number), code: 'MAYA', description: 'Maya' }],
    });
    expect(new Date(a1.date_created).toISOString()).toBe(a1.date_created);
    expect(a1.connectors).toEqual([
      expect.objectContaining({ evse_uid: 'GQL-A1', connector_id: 1, standard: 'TYPE_2', format: 'CABLE', power_type: 'AC_3_PHASE', max_voltage: 400, max_amperage: 32, max_electric_power: 22, connector_type: 'TYPE_2', rate_setting: null, status: 'UNKNOWN' }),
      expect.objectContaining({ evse_uid: 'GQL-A1', connector_id: 2, standard: 'CCS2', power_type: 'DC', status: 'UNKNOWN' }),
    ]);
    expect(a1.locations).toMatchObject({
      id: ids.fiesta, cpo_owner_id: cpoA.id, name: 'Fiesta Mall', address: 'Fiesta Mall, 1 Main St', city: 'Makati', province: 'Metro Manila',
      country_code: 'PH', images: ['/uploads/fiesta-front.jpg'], publish: true, distance: null,
      facilities: [expect.objectContaining({ code: 'CAFE' }), expect.objectContaining({ code: 'WIFI' })],
      parking_types: [expect.objectContaining({ code: 'INDOOR' })],
      parking_restrictions: [expect.objectContaining({ code: 'CUSTOMERS', description: 'Customers' })],
    });
    expect(a1.locations.address_lat).toBeCloseTo(P1.lat, 5);
    expect(a1.locations.address_lng).toBeCloseTo(P1.lng, 5);
  });

  it('orders by location name or date_created, both ways, and pages', async () => {
    const uids = async (args: string, auth = bearerA) => ((await gql(t, `{ evse(${args}) { uid } }`, { authorization: auth })).body.data.evse as any[]).map((e) => e.uid);
    expect(await uids('order_by: "location", order: "ASC"')).toEqual(['GQL-A1', 'GQL-A2', 'GQL-A3']); // Fiesta, Fiona, Hidden
    expect(await uids('order_by: "location", order: "DESC"')).toEqual(['GQL-A3', 'GQL-A2', 'GQL-A1']);
    expect(await uids('order_by: "date_created", order: "ASC"')).toEqual(['GQL-A1', 'GQL-A2', 'GQL-A3']);
    expect(await uids('order_by: "date_created", order: "DESC"')).toEqual(['GQL-A3', 'GQL-A2', 'GQL-A1']);
    expect(await uids('order_by: "location", limit: 1, offset: 1')).toEqual(['GQL-A2']);
    expect(await uids('location_name: "hidden"')).toEqual(['GQL-A3']);
    // LIKE wildcards in the name are taken literally.
    expect(await uids('location_name: "%"')).toEqual([]);
    expect(await uids('order_by: "location"', bearerB)).toEqual(['GQL-B1']);
    expect(await uids('order_by: "location"', admin)).toEqual(['GQL-A1', 'GQL-B1', 'GQL-A2', 'GQL-A3']);
  });

  it('refuses arguments outside the listed values with BAD_USER_INPUT', async () => {
    for (const [args, needle] of [
      ['order_by: "name"', "order_by must be one of 'location', 'date_created'"],
      ['order: "UP"', 'order must be ASC or DESC'],
      ['order: "asc"', 'order must be ASC or DESC'],
      ['limit: 0', 'limit must be an integer from 1 to 100'],
      ['limit: 101', 'limit must be an integer from 1 to 100'],
      ['offset: -1', 'offset must be'],
      ['location_name: "  "', 'location_name must not be empty'],
    ] as const) {
      const res = await gql(t, `{ evse(${args}) { uid } }`, { authorization: bearerA });
      expect(errorCodes(res), args).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0]!.message).toContain(needle);
      expect(res.body.data).toBeNull();
    }
    // A wrongly typed argument is graphql-js's own validation error.
    const typed = await gql(t, '{ evse(limit: "ten") { uid } }', { authorization: bearerA });
    expect(typed.body.errors?.length).toBe(1);
  });
});

describe('locations and location(id)', () => {
  it('answers the spec example (limit 10, offset 0) with the CPO\'s own locations, published or not, with nested EVSEs', async () => {
    const res = await gql(t, `query Locations { locations(limit: 10, offset: 0) { ${LOCATION_FIELDS} evses { ${EVSE_FIELDS} } } }`, { authorization: bearerA });
    expect(res.body.errors).toBeUndefined();
    const locations = res.body.data.locations;
    expect(locations.map((l: any) => [l.id, l.publish])).toEqual([[ids.fiesta, true], [ids.fiona, true], [ids.hidden, false]]);
    expect(locations[0].evses.map((e: any) => e.uid)).toEqual(['GQL-A1']);
    expect(locations[0].evses[0].connectors).toHaveLength(2);
    expect(locations[1]).toMatchObject({ name: 'Fiona Hub', images: [], facilities: [expect.objectContaining({ code: 'CAFE' })], parking_types: [expect.objectContaining({ code: 'OUTDOOR' })], parking_restrictions: [] });
    expect(new Date(locations[1].date_modified).toISOString()).toBe(locations[1].date_modified);
  });

  it('pages; ADMIN sees every CPO\'s; limits are validated', async () => {
    const list = async (args: string, auth: string) => ((await gql(t, `{ locations${args ? `(${args})` : ''} { id } }`, { authorization: auth })).body.data.locations as any[]).map((l) => l.id);
    expect(await list('limit: 1, offset: 1', bearerA)).toEqual([ids.fiona]);
    expect(await list('', bearerB)).toEqual([ids.rival]);
    expect(await list('', admin)).toEqual([ids.fiesta, ids.fiona, ids.hidden, ids.rival]);
    for (const args of ['limit: 0', 'limit: 1000', 'offset: -5']) {
      expect(errorCodes(await gql(t, `{ locations(${args}) { id } }`, { authorization: bearerA })), args).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('location(id): the spec\'s query for an own location; another CPO\'s or a missing one is null', async () => {
    const query = (id: number) => `query Location { location(id: ${id}) { ${LOCATION_FIELDS} evses { ${EVSE_FIELDS} } } }`;
    const own = await gql(t, query(ids.hidden), { authorization: bearerA });
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data.location).toMatchObject({ id: ids.hidden, name: 'Hidden Lot', publish: false, distance: null, evses: [expect.objectContaining({ uid: 'GQL-A3' })] });
    expect((await gql(t, query(ids.rival), { authorization: bearerA })).body.data.location).toBeNull();
    expect((await gql(t, query(999_999), { authorization: bearerA })).body.data.location).toBeNull();
    expect((await gql(t, query(ids.rival), { authorization: admin })).body.data.location).toMatchObject({ id: ids.rival, cpo_owner_id: cpoB.id });
    expect(errorCodes(await gql(t, query(0), { authorization: bearerA }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('find_ev_locations', () => {
  it('answers the spec example with every published location (and only those), by id', async () => {
    const res = await gql(t, `query Find_ev_locations { find_ev_locations { ${LOCATION_FIELDS} evses { ${EVSE_FIELDS} } } }`, { authorization: basic });
    expect(res.body.errors).toBeUndefined();
    const found = res.body.data.find_ev_locations;
    expect(found.map((l: any) => l.id)).toEqual([ids.fiesta, ids.fiona, ids.rival]);
    expect(found.every((l: any) => l.publish === true && l.distance === null)).toBe(true);
    expect(found[2].evses[0]).toMatchObject({ uid: 'GQL-B1', payment_types: [expect.objectContaining({ code: 'MAYA' })] });
  });

  it('with lat/lng: nearest first, with distances in km', async () => {
    const res = await gql(t, `{ find_ev_locations(lat: ${CENTER.lat}, lng: ${CENTER.lng}) { id distance } }`, { authorization: basic });
    const found = res.body.data.find_ev_locations as Array<{ id: number; distance: number }>;
    expect(found.map((l) => l.id)).toEqual([ids.fiesta, ids.fiona, ids.rival]);
    expectDistances(found, [1, 5, 20]);
  });
});

/** Each distance within 1 % of the expected km and of the haversine distance between the stored points. */
function expectDistances(found: Array<{ distance: number }>, km: number[]) {
  expect(found.map((l) => l.distance)).toHaveLength(km.length);
  found.forEach((l, i) => {
    expect(Math.abs(l.distance - km[i]!) / km[i]!).toBeLessThan(0.01);
  });
}

describe('find_ev_filter_locations', () => {
  const find = async (args: string) => {
    const res = await gql(t, `{ find_ev_filter_locations(${args}) { id distance address_lat address_lng } }`, { authorization: basic });
    expect(res.body.errors, args).toBeUndefined();
    return res.body.data.find_ev_filter_locations as Array<{ id: number; distance: number; address_lat: number; address_lng: number }>;
  };
  const near = `lat: ${CENTER.lat}, lng: ${CENTER.lng}`;

  it('answers the spec example (lat 14.559192, lng 121.017516): published locations nearest first, distance filled in', async () => {
    const res = await gql(t, FIND_EV_FILTER('lat: 14.559192, lng: 121.017516'), { authorization: basic });
    expect(res.body.errors).toBeUndefined();
    const found = res.body.data.find_ev_filter_locations;
    expect(found.map((l: any) => l.id)).toEqual([ids.fiesta, ids.fiona, ids.rival]);
    expectDistances(found, [1, 5, 20]);
    for (const l of found) {
      // against the haversine distance of the coordinates the API itself returns
      const expected = haversineKm(CENTER.lat, CENTER.lng, l.address_lat, l.address_lng);
      expect(Math.abs(l.distance - expected) / expected).toBeLessThan(0.01);
    }
    expect(found[0]).toMatchObject({ name: 'Fiesta Mall', province: 'Metro Manila', evses: [expect.objectContaining({ uid: 'GQL-A1', status: 'UNKNOWN' })] });
  });

  it('distance: only locations within that many km', async () => {
    expect((await find(`${near}, distance: 10`)).map((l) => l.id)).toEqual([ids.fiesta, ids.fiona]);
    expect((await find(`${near}, distance: 2`)).map((l) => l.id)).toEqual([ids.fiesta]);
    expect((await find(`${near}, distance: 0.5`)).map((l) => l.id)).toEqual([]);
    expect((await find(`${near}, distance: 25`)).map((l) => l.id)).toEqual([ids.fiesta, ids.fiona, ids.rival]);
    // From another point the order changes: P20 is nearest to itself.
    expect((await find(`lat: ${P20.lat}, lng: ${P20.lng}`)).map((l) => l.id)).toEqual([ids.rival, ids.fiesta, ids.fiona]);
  });

  it('filters by city, province and every reference list (has all of the given codes)', async () => {
    const cases: Array<[string, number[]]> = [
      ['city: "makati"', [ids.fiesta]], // the unpublished Makati location stays hidden
      ['city: "Cabuyao"', [ids.rival]],
      ['province: "Metro Manila"', [ids.fiesta, ids.fiona]],
      ['province: "Laguna", city: "Cabuyao"', [ids.rival]],
      ['facilities: ["CAFE","WIFI"]', [ids.fiesta]],
      ['facilities: ["WIFI"]', [ids.fiesta, ids.rival]],
      ['facilities: ["CAFE"]', [ids.fiesta, ids.fiona]],
      ['capabilities: ["QR_READER","CREDIT_DEBIT_PAYABLE"]', [ids.fiesta]],
      ['capabilities: ["QR_READER"]', [ids.fiesta, ids.fiona]],
      ['capabilities: ["PRIVILEGE_AND_LOYALTY"]', [ids.rival]],
      ['payment_types: ["GCASH","MAYA"]', [ids.fiesta]],
      ['payment_types: ["MAYA"]', [ids.fiesta, ids.rival]],
      ['parking_types: ["INDOOR","OUTDOOR"]', []],
      ['parking_types: ["OUTDOOR"]', [ids.fiona]],
      ['parking_types: ["INDOOR"]', [ids.fiesta, ids.rival]],
      ['parking_restrictions: ["CUSTOMERS"]', [ids.fiesta]],
      ['connector_types: ["CHADEMO"]', [ids.fiona]],
      ['connector_types: ["TYPE_2","CCS2"]', [ids.fiesta]],
      ['facilities: ["WIFI"], payment_types: ["MAYA"], distance: 10', [ids.fiesta]],
      ['facilities: [], city: "Pasig"', [ids.fiona]],
    ];
    for (const [args, expected] of cases) {
      expect((await find(`${near}, ${args}`)).map((l) => l.id), args).toEqual(expected);
    }
    // Without a point: by id, no distance.
    const noPoint = await find('facilities: ["CAFE"]');
    expect(noPoint.map((l) => [l.id, l.distance])).toEqual([[ids.fiesta, null], [ids.fiona, null]]);
  });

  it('pages with limit and offset', async () => {
    expect((await find(`${near}, limit: 2`)).map((l) => l.id)).toEqual([ids.fiesta, ids.fiona]);
    expect((await find(`${near}, limit: 2, offset: 2`)).map((l) => l.id)).toEqual([ids.rival]);
  });

  it('refuses invalid coordinates, distances and codes with BAD_USER_INPUT and a clear message', async () => {
    const cases: Array<[string, string]> = [
      ['lat: 91, lng: 121', 'lat must be a latitude from -90 to 90'],
      ['lat: -90.5, lng: 121', 'lat must be a latitude'],
      ['lat: 14, lng: 181', 'lng must be a longitude from -180 to 180'],
      ['lat: 14', 'lat and lng must be given together'],
      [`${near}, distance: -1`, 'distance must be a distance in km'],
      [`${near}, distance: 0`, 'distance must be a distance in km'],
      ['distance: 10', 'distance needs lat and lng'],
      [`${near}, facilities: ["CAFE","SAUNA"]`, 'facilities: unknown value "SAUNA"; valid values are BANKS/ATM, CAFE'],
      [`${near}, capabilities: ["NFC"]`, 'capabilities: unknown value "NFC"'],
      [`${near}, payment_types: ["CASH"]`, 'payment_types: unknown value "CASH"; valid values are GCASH, MAYA'],
      [`${near}, parking_types: ["ROOFTOP"]`, 'parking_types: unknown value "ROOFTOP"; valid values are INDOOR, OUTDOOR'],
      [`${near}, parking_restrictions: ["VIP"]`, 'parking_restrictions: unknown value "VIP"'],
      [`${near}, connector_types: ["SCHUKO"]`, 'connector_types: unknown value "SCHUKO"'],
      [`${near}, city: ""`, 'city must not be empty'],
      [`${near}, limit: 0`, 'limit must be an integer from 1 to 100'],
    ];
    for (const [args, message] of cases) {
      const res = await gql(t, `{ find_ev_filter_locations(${args}) { id } }`, { authorization: basic });
      expect(errorCodes(res), args).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0]!.message, args).toContain(message);
    }
    expect(errorCodes(await gql(t, '{ find_ev_locations(lat: 100, lng: 0) { id } }', { authorization: basic }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('auth', () => {
  const queries = {
    evse: '{ evse { uid } }',
    locations: '{ locations { id } }',
    location: `{ location(id: 1) { id } }`,
    find_ev_locations: '{ find_ev_locations { id } }',
    find_ev_filter_locations: `{ find_ev_filter_locations(lat: ${CENTER.lat}, lng: ${CENTER.lng}) { id } }`,
  };

  it('without credentials every query answers UNAUTHENTICATED (HTTP 200, data null)', async () => {
    for (const [name, query] of Object.entries(queries)) {
      const res = await gql(t, query);
      expect(res.status, name).toBe(200);
      expect(errorCodes(res), name).toEqual(['UNAUTHENTICATED']);
      // data is null, or (location(id) is nullable) holds only null
      expect(res.body.data === null || Object.values(res.body.data).every((v) => v === null), name).toBe(true);
    }
  });

  it('wrong credentials, and the wrong kind of credentials, are UNAUTHENTICATED', async () => {
    const wrongBasic = `Basic ${Buffer.from('no-such-app:some-secret-1234567890').toString('base64')}`;
    for (const [name, query] of Object.entries(queries)) {
      expect(errorCodes(await gql(t, query, { authorization: 'Bearer not.a.token' })), name).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await gql(t, query, { authorization: wrongBasic })), name).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await gql(t, query, { authorization: 'Token abc' })), name).toEqual(['UNAUTHENTICATED']);
    }
    // Bearer for the CPO's own data, Basic for the public finders: not the other way round.
    expect(errorCodes(await gql(t, queries.evse, { authorization: basic }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await gql(t, queries.locations, { authorization: basic }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await gql(t, queries.find_ev_locations, { authorization: bearerA }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await gql(t, queries.find_ev_filter_locations, { authorization: admin }))).toEqual(['UNAUTHENTICATED']);
  });

  it('a revoked API client is refused', async () => {
    const revoked = await basicFor(t);
    const clientId = Buffer.from(revoked.slice('Basic '.length), 'base64').toString().split(':')[0]!;
    await t.db.updateTable('apiClient').set({ revokedAt: new Date() }).where('clientId', '=', clientId).execute();
    expect(errorCodes(await gql(t, queries.find_ev_locations, { authorization: revoked }))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('limits and tooling', () => {
  it('refuses a query deeper than GRAPHQL_MAX_DEPTH (10) before running it', async () => {
    // depth 11: locations → evses → locations → … → uid
    const deep = '{ locations { evses { locations { evses { locations { evses { locations { evses { locations { evses { uid } } } } } } } } } } }';
    const res = await gql(t, deep, { authorization: bearerA });
    expect(errorCodes(res)).toContain('DEPTH_LIMIT_EXCEEDED');
    expect(res.body.errors![0]!.message).toContain('exceeds the limit of 10');
    // Depth 10 passes.
    const ok = await gql(t, '{ locations { evses { locations { evses { locations { evses { locations { evses { locations { id } } } } } } } } } }', { authorization: bearerA });
    expect(ok.body.errors).toBeUndefined();
  });

  it('introspection and GraphiQL are on outside production', async () => {
    const res = await gql(t, '{ __schema { queryType { name } subscriptionType { name } } }');
    expect(res.body.data).toEqual({ __schema: { queryType: { name: 'Query' }, subscriptionType: { name: 'Subscription' } } });
    const page = await fetch(`${t.httpUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/graphiql/i);
  });

  it('masks unexpected errors; a malformed query gets a GraphQL error, not a crash', async () => {
    const res = await gql(t, '{ locations { id ', { authorization: bearerA });
    expect(res.body.errors?.[0]?.message).toMatch(/Syntax Error/);
  });
});
