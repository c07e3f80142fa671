import { randomBytes } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashTokenC } from '../../src/locations/token-c.service.ts';
import * as userService from '../../src/users/user.service.ts';
import { writeLocationsCsv } from '../../simulators/make-locations-csv.ts';
import { SimulatedChargePoint } from '../../simulators/charge-point.ts';
import { startTestApp, type TestApp } from '../fixtures/test-app.ts';

// The CPO side of shared/spec/emsp-v2-cpo-api.md that creates locations: the two webhooks (token C)
// and the CSV import (Bearer access token of a CPO_OWNER user), over real HTTP, and the chargers they
// register connecting over a real OCPP websocket.

const SAMPLE = path.resolve(import.meta.dirname, '../fixtures/locations-sample.csv');

let t: TestApp;
let dir: string;
const party = { id: 0, countryCode: 'PH', partyId: 'EVC', email: 'ops@evc.example', tokenC: `tc-${randomBytes(24).toString('base64url')}` };
const rival = { id: 0, countryCode: 'PH', partyId: 'RIV', email: 'ops@rival.example', tokenC: `tc-${randomBytes(24).toString('base64url')}` };
let bearer: string;

interface Answer {
  status: number;
  body: { status: number; data: any; message: string; code?: string };
}

async function request(method: string, urlPath: string, options: { json?: unknown; body?: BodyInit; authorization?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.authorization) headers.authorization = options.authorization;
  const body = options.json !== undefined ? JSON.stringify(options.json) : options.body;
  const res = await fetch(`${t.httpUrl}${urlPath}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

const webhook = (kind: 'locations' | 'evse', json: unknown, token = party.tokenC, p: { countryCode: string; partyId: string } = party) =>
  request('POST', `/ocpi/cpo/api/v1/webhook/${kind}/${p.countryCode}/${p.partyId}`, { json, authorization: `Bearer ${token}` });

async function uploadCsv(file: string, options: { field?: string; name?: string; authorization?: string } = {}): Promise<Answer> {
  const form = new FormData();
  form.append(options.field ?? 'file', await openAsBlob(file, { type: 'text/csv' }), options.name ?? 'locations.csv');
  return request('POST', '/ocpi/cpo/api/v2/locations/uploads/csv', { body: form, authorization: options.authorization ?? `Bearer ${bearer}` });
}

async function createParty(p: typeof party): Promise<void> {
  const row = await t.db
    .insertInto('cpoOwner')
    .values({ name: `CPO ${p.partyId}`, countryCode: p.countryCode, partyId: p.partyId, contactName: 'Operations', contactEmail: p.email, ocppReady: true })
    .returning('id')
    .executeTakeFirstOrThrow();
  p.id = row.id;
  // By its SQL name: CamelCasePlugin would map tokenCHash to token_chash.
  await sql`update cpo_owner set token_c_hash = ${hashTokenC(p.tokenC)} where id = ${p.id}`.execute(t.db);
}

/** Rows of every table the imports write, to prove a refused request wrote nothing. */
async function counts() {
  const tables = ['location', 'evse', 'connector', 'chargePoint', 'locationFacility', 'evseCapability', 'evsePaymentType', 'mailOutbox'] as const;
  const out = {} as Record<(typeof tables)[number], number>;
  for (const table of tables) {
    const r = await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    out[table] = Number(r.n);
  }
  return out;
}

async function lastMailTo(recipient: string): Promise<string> {
  const row = await t.db.selectFrom('mailOutbox').select('body').where('recipient', '=', recipient).orderBy('id', 'desc').executeTakeFirstOrThrow();
  return row.body;
}

const passwordIn = (mail: string, uid: string) =>
  new RegExp(`Charger identity \\(EVSE uid\\): ${uid.replace(/[.*+]/g, '\\$&')}\\n  OCPP URL: (\\S+)\\n  Password: (\\S+)`).exec(mail);

/** The webhook body of the spec, verbatim. */
const SPEC_LOCATIONS = {
  locations: [
    {
      name: "Yan-Yan's Store",
      address: 'BLK 137 LOT 3, Phase 2, Cabuyao, Laguna',
      lat: '14.12345',
      lng: '121.12345',
      evses: [
        {
          uid: '123456689', status: 'AVAILABLE', meter_type: 'AC', kwh: 7,
          connectors: [{ standard: 'CHADEMO', format: 'SOCKET', power_type: 'AC', max_voltage: 230, max_amperage: 16, max_electric_power: 120 }],
          capabilities: ['CREDIT_DEBIT_PAYABLE', 'QR_READER'], payment_types: ['GCASH', 'MAYA'],
        },
        {
          uid: '123', status: 'AVAILABLE', meter_type: 'AC', kwh: 7,
          connectors: [{ standard: 'TYPE_2', format: 'SOCKET', power_type: 'AC', max_voltage: 230, max_amperage: 16, max_electric_power: 120 }],
          capabilities: ['CREDIT_DEBIT_PAYABLE', 'QR_READER'], payment_types: ['GCASH', 'MAYA'],
        },
      ],
      facilities: ['CINEMA', 'CAFE'],
      parking_types: ['INDOOR'],
      parking_restrictions: ['CUSTOMERS', 'DISABLED'],
    },
  ],
};

let uidNo = 0;
const newUid = () => `E2E-${++uidNo}`;
const aLocation = (over: Record<string, unknown> = {}) => ({
  name: 'Hub', address: '1 Main St', lat: 14.5, lng: '121.0',
  evses: [{ uid: newUid(), connectors: [{ standard: 'TYPE_2', format: 'CABLE', power_type: 'AC_3_PHASE', max_voltage: 400, max_amperage: 32, max_electric_power: 22 }] }],
  ...over,
});

beforeAll(async () => {
  t = await startTestApp();
  dir = await mkdtemp(path.join(tmpdir(), 'cpo-locations-'));
  await createParty(party);
  await createParty(rival);
  const username = `cpo-${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  await userService.createUser(t.db, { username, password, role: 'CPO_OWNER', cpoOwnerId: party.id });
  const login = await request('POST', '/api/v1/auth/login', { json: { username, password } });
  expect(login.status).toBe(200);
  bearer = login.body.data.access_token as string;
});

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('POST /ocpi/cpo/api/v1/webhook/locations/:country_code/:party_id', () => {
  it('creates the spec example: a pending location, two EVSEs, their chargers, and a mail with their passwords', async () => {
    const res = await webhook('locations', SPEC_LOCATIONS);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 200, data: [{ location_id: expect.any(Number) }], message: 'Success' });
    const locationId = res.body.data[0].location_id as number;

    const location = await t.db.selectFrom('location').selectAll().where('id', '=', locationId).executeTakeFirstOrThrow();
    expect(location).toMatchObject({
      cpoOwnerId: party.id, name: "Yan-Yan's Store", address: 'BLK 137 LOT 3, Phase 2, Cabuyao, Laguna',
      addressLat: '14.123450', addressLng: '121.123450', countryCode: 'PH', publish: false,
    });
    const facilities = await t.db.selectFrom('locationFacility').innerJoin('facility', 'facility.id', 'locationFacility.facilityId')
      .select('facility.code').where('locationId', '=', locationId).orderBy('facility.code').execute();
    const parkingTypes = await t.db.selectFrom('locationParkingType').innerJoin('parkingType', 'parkingType.id', 'locationParkingType.parkingTypeId')
      .select('parkingType.code').where('locationId', '=', locationId).orderBy('parkingType.code').execute();
    const restrictions = await t.db.selectFrom('locationParkingRestriction')
      .innerJoin('parkingRestriction', 'parkingRestriction.id', 'locationParkingRestriction.parkingRestrictionId')
      .select('parkingRestriction.code').where('locationId', '=', locationId).orderBy('parkingRestriction.code').execute();
    expect(facilities.map((r) => r.code)).toEqual(['CAFE', 'CINEMA']);
    expect(parkingTypes.map((r) => r.code)).toEqual(['INDOOR']);
    expect(restrictions.map((r) => r.code)).toEqual(['CUSTOMERS', 'DISABLED']);

    const evses = await t.db.selectFrom('evse').selectAll().where('locationId', '=', locationId).orderBy('id').execute();
    expect(evses.map((e) => [e.uid, e.status, e.meterType, e.kwh])).toEqual([['123456689', 'AVAILABLE', 'AC', '7.000'], ['123', 'AVAILABLE', 'AC', '7.000']]);
    const capabilities = await t.db.selectFrom('evseCapability').innerJoin('capability', 'capability.id', 'evseCapability.capabilityId')
      .select('capability.code').where('evseId', '=', evses[1]!.id).orderBy('capability.code').execute();
    expect(capabilities.map((c) => c.code)).toEqual(['CREDIT_DEBIT_PAYABLE', 'QR_READER']);
    const connectors = await t.db.selectFrom('connector').selectAll().where('evseId', 'in', evses.map((e) => e.id)).orderBy('id').execute();
    expect(connectors.map((c) => [c.connectorId, c.standard, c.format, c.powerType, c.connectorType, c.maxElectricPower])).toEqual([
      [1, 'CHADEMO', 'SOCKET', 'AC_1_PHASE', 'CHADEMO', 120],
      [1, 'TYPE_2', 'SOCKET', 'AC_1_PHASE', 'TYPE_2', 120],
    ]);

    const chargePoints = await t.db.selectFrom('chargePoint').select(['id', 'registrationStatus', 'passwordHash']).where('id', 'in', ['123456689', '123']).execute();
    expect(chargePoints.map((c) => [c.id, c.registrationStatus]).sort()).toEqual([['123', 'Accepted'], ['123456689', 'Accepted']]);
    // Generated secrets (192 random bits) are stored as sha256, not scrypt: src/security/password.ts.
    expect(chargePoints.every((c) => c.passwordHash?.startsWith('sha256$'))).toBe(true);

    const mail = await lastMailTo(party.email);
    const credentials = passwordIn(mail, '123');
    expect(credentials?.[1]).toBe('/ocpp/123');
    expect(passwordIn(mail, '123456689')).not.toBeNull();

    const pending = async () => (await request('GET', '/ocpi/cpo/2.2/locations/pending', { authorization: `Bearer ${bearer}` })).body.data;
    expect(await pending()).toEqual([{ pending_locations: 1, pending_evses: 2 }]);

    // "Registering an EVSE here is what makes its charger known to the OCPP server."
    const charger = new SimulatedChargePoint({ url: t.ocppUrl, identity: '123', password: credentials![2]!, connectors: 1 });
    try {
      await charger.connect();
      expect((await charger.boot()).status).toBe('Accepted');
    } finally {
      await charger.close({ force: true });
    }
    // Its EVSE is pending no longer once its charger has booted.
    expect(await pending()).toEqual([{ pending_locations: 1, pending_evses: 1 }]);
    const wrong = new SimulatedChargePoint({ url: t.ocppUrl, identity: '123456689', password: 'not-the-mailed-password', connectors: 1 });
    await expect(wrong.connect()).rejects.toThrow();
    await wrong.close({ force: true }).catch(() => {});
  });

  it('answers 401 without a token or with an unknown one, 403 for another party\'s token; nothing is written', async () => {
    const before = await counts();
    const anonymous = await request('POST', `/ocpi/cpo/api/v1/webhook/locations/PH/EVC`, { json: { locations: [aLocation()] } });
    expect(anonymous).toMatchObject({ status: 401, body: { status: 401, code: 'UNAUTHENTICATED' } });
    expect((await webhook('locations', { locations: [aLocation()] }, 'no-such-token')).status).toBe(401);
    // A body the route would refuse still gets 401 first: anonymous callers learn nothing about it.
    expect((await webhook('locations', { nonsense: true }, 'no-such-token')).status).toBe(401);

    const foreign = await webhook('locations', { locations: [aLocation()] }, rival.tokenC, party);
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ status: 403, code: 'FORBIDDEN', message: expect.stringContaining('token belongs to another party') });
    // The party's own token works whatever the case of the country code in the path.
    expect((await webhook('locations', { locations: [aLocation()] }, rival.tokenC, { countryCode: 'ph', partyId: 'RIV' })).status).toBe(200);
    const after = await counts();
    expect(after.location).toBe(before.location + 1);
  });

  it('refuses bad bodies with 400 and taken uids with 409, writing nothing', async () => {
    const before = await counts();
    const cases: Array<[unknown, number, RegExp]> = [
      [{ locations: [aLocation({ name: undefined })] }, 400, /^body locations\.0\.name: is required$/],
      [{ locations: [aLocation({ lat: 'north' })] }, 400, /^body locations\.0\.lat: must be a decimal number/],
      [{ locations: [aLocation({ lat: '91.5' })] }, 400, /^body locations\.0\.lat: must be between -90 and 90$/],
      [{ locations: [aLocation(), aLocation({ facilities: ['CAFE', 'SAUNA'] })] }, 400, /^locations\[1\]\.facilities: unknown facility code SAUNA/],
      [{ locations: [aLocation({ evses: [{ ...aLocation().evses[0], status: 'BROKEN' }] })] }, 400, /status: must be one of AVAILABLE, BLOCKED/],
      [{ locations: [aLocation({ evses: [{ ...aLocation().evses[0], uid: 'has space' }] })] }, 400, /uid: must be 1-48 characters/],
      [{ locations: [] }, 400, /must have at least one location/],
      [{ locations: [aLocation(), aLocation({ evses: [{ ...aLocation().evses[0], uid: '123' }] })] }, 409, /^EVSE uid 123 is already registered/],
    ];
    const twice = newUid();
    cases.push([{ locations: [aLocation({ evses: [{ ...aLocation().evses[0], uid: twice }] }), aLocation({ evses: [{ ...aLocation().evses[0], uid: twice }] })] }, 400, /appears more than once/]);
    for (const [body, status, message] of cases) {
      const res = await webhook('locations', body);
      expect({ status: res.status, message: res.body.message }).toEqual({ status, message: expect.stringMatching(message) });
      expect(res.body.status).toBe(status);
    }
    // A charger registered another way (operator API) holds its identity as well.
    const admin = `adm-${randomBytes(4).toString('hex')}`;
    await userService.createUser(t.db, { username: admin, password: 'admin-password-1234', role: 'ADMIN' });
    const adminToken = (await request('POST', '/api/v1/auth/login', { json: { username: admin, password: 'admin-password-1234' } })).body.data.access_token as string;
    const provisioned = await request('POST', '/api/v1/chargers', { json: { id: 'OPERATOR-CP-1', generate_password: true }, authorization: `Bearer ${adminToken}` });
    expect(provisioned.status).toBe(201);
    const afterProvisioning = await counts();
    const taken = await webhook('locations', { locations: [aLocation({ evses: [{ ...aLocation().evses[0], uid: 'OPERATOR-CP-1' }] })] });
    expect(taken).toMatchObject({ status: 409, body: { code: 'CONFLICT', message: expect.stringContaining('OPERATOR-CP-1') } });

    expect(await counts()).toEqual(afterProvisioning);
    expect(afterProvisioning).toEqual({ ...before, chargePoint: before.chargePoint + 1 });
  });
});

describe('POST /ocpi/cpo/api/v1/webhook/evse/:country_code/:party_id', () => {
  it('adds an EVSE to an own location and registers its charger', async () => {
    const locationId = (await webhook('locations', { locations: [aLocation({ evses: [] })] })).body.data[0].location_id as number;
    const body = {
      location_id: locationId, uid: 'EVSE-WEBHOOK-1', status: 'AVAILABLE', meter_type: 'AC', kwh: 7,
      connectors: [{ standard: 'CHADEMO', format: 'SOCKET', power_type: 'AC', max_voltage: 230, max_amperage: 16, max_electric_power: 120 }],
      capabilities: ['CREDIT_DEBIT_PAYABLE', 'QR_READER'], payment_types: ['GCASH', 'MAYA'],
    };
    const res = await webhook('evse', body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 200, data: 'SUCCESS', message: 'Success' });
    const evse = await t.db.selectFrom('evse').selectAll().where('uid', '=', 'EVSE-WEBHOOK-1').executeTakeFirstOrThrow();
    expect(evse.locationId).toBe(locationId);
    const password = passwordIn(await lastMailTo(party.email), 'EVSE-WEBHOOK-1')?.[2];
    const charger = new SimulatedChargePoint({ url: t.ocppUrl, identity: 'EVSE-WEBHOOK-1', password: password!, connectors: 1 });
    try {
      await charger.connect();
      expect((await charger.boot()).status).toBe('Accepted');
    } finally {
      await charger.close({ force: true });
    }
  });

  it('answers 404 for a location of another CPO, writing nothing', async () => {
    const rivalLocation = (await webhook('locations', { locations: [aLocation({ evses: [] })] }, rival.tokenC, rival)).body.data[0].location_id as number;
    const before = await counts();
    const res = await webhook('evse', { location_id: rivalLocation, ...aLocation().evses[0] });
    expect(res).toMatchObject({ status: 404, body: { status: 404, code: 'NOT_FOUND' } });
    expect((await webhook('evse', { ...aLocation().evses[0] })).status).toBe(400); // no location_id
    expect(await counts()).toEqual(before);
  });
});

describe('POST /ocpi/cpo/api/v2/locations/uploads/csv', () => {
  it('imports the sample file: every row, as pending locations of the caller', async () => {
    const before = await counts();
    const res = await uploadCsv(SAMPLE);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 200, data: [], message: 'Success' });
    const after = await counts();
    expect([after.location - before.location, after.evse - before.evse, after.connector - before.connector, after.chargePoint - before.chargePoint]).toEqual([3, 4, 6, 4]);
    const imported = await t.db.selectFrom('location').select(['name', 'publish', 'cpoOwnerId']).where('name', 'in', ['SM City Sample', 'Seaside Hotel']).execute();
    expect(imported).toHaveLength(2);
    expect(imported.every((l) => l.publish === false && l.cpoOwnerId === party.id)).toBe(true);
    expect(passwordIn(await lastMailTo(party.email), 'SAMPLE-EVSE-004')).not.toBeNull();
  });

  it('lists every bad row with line and column and imports nothing', async () => {
    const file = path.join(dir, 'bad.csv');
    await writeFile(file, [
      'location_ref,name,address,lat,lng,facilities,evse_uid,connector_id,standard,format,power_type,max_voltage,max_amperage,max_electric_power',
      'A,Hub A,"1 Main St, Town",14.1,121.1,CAFE,CSV-OK-1,1,TYPE_2,SOCKET,AC,230,16,4', // 2: fine
      'A,Hub A,"1 Main St, Town",14.1,121.1,CAFE,CSV-OK-1,1,TYPE_2,SOCKET,AC,230,16,4', // 3: connector 1 again
      'B,Hub B,2 Side St,95,121.1,SAUNA,CSV-OK-2,1,TYPE_2,SOCKET,AC,230,16,4', // 4: lat, facility
      'C,Hub C,3 Far St,14.2,121.2,,SAMPLE-EVSE-001,1,TYPE_2,PLUG,AC,230,16,-4', // 5: taken uid, format, power
      'A,Hub A renamed,"1 Main St, Town",14.1,121.1,CAFE,CSV-OK-3,1,TYPE_2,SOCKET,AC,230,16,4', // 6: name differs from line 2
    ].join('\r\n'));
    const before = await counts();
    const res = await uploadCsv(file);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, message: 'CSV has 4 invalid rows; nothing was imported', code: 'VALIDATION_FAILED' });
    expect(res.body.data.errors.map((e: { line: number; column: string }) => [e.line, e.column])).toEqual([
      [3, 'connector_id'], [4, 'lat'], [4, 'facilities'], [5, 'format'], [5, 'max_electric_power'], [5, 'evse_uid'], [6, 'name'],
    ]);
    expect(res.body.data.errors[0]).toEqual({ line: 3, column: 'connector_id', reason: 'connector_id 1 appears twice for EVSE CSV-OK-1' });
    expect(await counts()).toEqual(before);
  });

  it('refuses what is not a .csv upload in field "file", and callers without a CPO_OWNER token', async () => {
    const wrongField = await uploadCsv(SAMPLE, { field: 'upload' });
    expect(wrongField).toMatchObject({ status: 400, body: { status: 400, message: expect.stringContaining('unexpected file field upload') } });
    expect((await uploadCsv(SAMPLE, { name: 'locations.xlsx' })).status).toBe(400);
    const json = await request('POST', '/ocpi/cpo/api/v2/locations/uploads/csv', { json: { file: 'x' }, authorization: `Bearer ${bearer}` });
    expect(json).toMatchObject({ status: 400, body: { message: 'expected a multipart/form-data body' } });
    const noFile = new FormData();
    noFile.append('note', 'no file here');
    expect((await request('POST', '/ocpi/cpo/api/v2/locations/uploads/csv', { body: noFile, authorization: `Bearer ${bearer}` })).status).toBe(400);
    expect((await uploadCsv(SAMPLE, { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await uploadCsv(SAMPLE, { authorization: `Bearer ${party.tokenC}` })).status).toBe(401); // token C is not an access token
    const operator = `op-${randomBytes(4).toString('hex')}`;
    await userService.createUser(t.db, { username: operator, password: 'operator-password-1234', role: 'OPERATOR' });
    const operatorToken = (await request('POST', '/api/v1/auth/login', { json: { username: operator, password: 'operator-password-1234' } })).body.data.access_token as string;
    expect((await uploadCsv(SAMPLE, { authorization: `Bearer ${operatorToken}` })).status).toBe(403);
  });

  it('is described in /openapi.json with the webhooks', async () => {
    const doc = (await (await fetch(`${t.httpUrl}/openapi.json`)).json()) as { paths: Record<string, { post?: unknown }> };
    for (const p of ['/ocpi/cpo/api/v2/locations/uploads/csv', '/ocpi/cpo/api/v1/webhook/locations/{country_code}/{party_id}', '/ocpi/cpo/api/v1/webhook/evse/{country_code}/{party_id}']) {
      expect(doc.paths[p]?.post, p).toBeDefined();
    }
  });

  it('imports a generated 10,000-row file in one request', async () => {
    const file = path.join(dir, 'ten-thousand.csv');
    // 2,500 chargers with generated credentials, 500 locations, 10,000 connectors, in one transaction.
    const generated = await writeLocationsCsv(file, { rows: 10_000, evsesPerLocation: 5, connectorsPerEvse: 4, uidPrefix: 'BULK' });
    expect(generated).toMatchObject({ rows: 10_000, locations: 500, evses: 2500 });
    const before = await counts();
    const started = Date.now();
    const res = await uploadCsv(file);
    const ms = Date.now() - started;
    expect(res.body).toEqual({ status: 200, data: [], message: 'Success' });
    const after = await counts();
    expect([after.location - before.location, after.evse - before.evse, after.connector - before.connector, after.chargePoint - before.chargePoint]).toEqual([500, 2500, 10_000, 2500]);
    console.info(`10,000-row CSV import (${t.databaseKind}): ${ms} ms`);
  }, 180_000);
});
