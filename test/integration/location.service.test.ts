import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as chargePointService from '../../src/charge-points/charge-point.service.ts';
import type { Database, DatabaseHandle } from '../../src/db/database.ts';
import { rejectionOf } from '../fixtures/app-error.ts';
import { LocationInputSchema, type LocationInput } from '../../src/locations/location-input.ts';
import * as locationService from '../../src/locations/location.service.ts';
import { hashTokenC, authenticateTokenC } from '../../src/locations/token-c.service.ts';
import { createMailer, type Mailer } from '../../src/mail/mailer.ts';
import { verifyPassword } from '../../src/security/password.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

const SAMPLE = path.resolve(import.meta.dirname, '../fixtures/locations-sample.csv');

let handle: DatabaseHandle;
let db: Database;
let mailer: Mailer;
let dir: string;
let owner: { id: number; email: string };
let other: { id: number; email: string };

async function createOwner(partyId: string, email: string | null) {
  const row = await db
    .insertInto('cpoOwner')
    .values({ name: `CPO ${partyId}`, countryCode: 'PH', partyId, contactName: 'Ops', contactEmail: email })
    .returning('id')
    .executeTakeFirstOrThrow();
  // By its SQL name: CamelCasePlugin maps tokenCHash to token_chash.
  await sql`update cpo_owner set token_c_hash = ${hashTokenC(`token-${partyId}`)} where id = ${row.id}`.execute(db);
  return { id: row.id, email: email ?? '' };
}

/** Row counts of every table these calls write. */
async function counts() {
  const tables = ['location', 'evse', 'connector', 'chargePoint', 'locationFacility', 'locationParkingType', 'locationParkingRestriction', 'evseCapability', 'evsePaymentType', 'mailOutbox'] as const;
  const out = {} as Record<(typeof tables)[number], number>;
  for (const t of tables) {
    const r = await db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  return out;
}

let uidNo = 0;
const uid = () => `IT-${process.pid}-${++uidNo}`;

function location(over: Record<string, unknown> = {}, evses?: unknown[]): LocationInput {
  return LocationInputSchema.parse({
    name: 'Hub', address: '1 Main St', lat: '14.12345', lng: 121.5, facilities: ['CINEMA', 'CAFE'], parking_types: ['INDOOR'], parking_restrictions: ['CUSTOMERS'],
    evses: evses ?? [evse()],
    ...over,
  });
}

function evse(over: Record<string, unknown> = {}) {
  return {
    uid: uid(), status: 'AVAILABLE', meter_type: 'AC', kwh: 7, capabilities: ['QR_READER'], payment_types: ['GCASH'],
    connectors: [{ standard: 'CHADEMO', format: 'SOCKET', power_type: 'AC', max_voltage: 230, max_amperage: 16, max_electric_power: 120 }],
    ...over,
  };
}

beforeAll(async () => {
  handle = await createTestDatabase();
  db = handle.db;
  mailer = createMailer({ smtpUrl: undefined, from: 'test@localhost', log: pino({ level: 'silent' }) });
  dir = await mkdtemp(path.join(tmpdir(), 'location-service-'));
  owner = await createOwner('AAA', 'ops@aaa.example');
  other = await createOwner('BBB', 'ops@bbb.example');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await handle.close();
});

describe('createLocations', () => {
  it('writes locations, EVSEs, connectors and links in one go, and registers and mails each charger', async () => {
    const input = location({ name: 'Two chargers' }, [evse(), evse({ connectors: [
      { standard: 'TYPE_2', format: 'CABLE', power_type: 'AC_3_PHASE', max_voltage: 400, max_amperage: 32, max_electric_power: 22 },
      { standard: 'CCS2', format: 'CABLE', power_type: 'DC', max_voltage: 920, max_amperage: 200, max_electric_power: 150, connector_type: 'CCS2', rate_setting: '21.5' },
    ] })]);
    const before = await counts();
    const created = await locationService.createLocations(db, owner.id, [input], { mailer, ocppBaseUrl: 'wss://cs.example.com/' });
    expect(created.locationIds).toHaveLength(1);
    expect(created.evses.map((e) => e.uid)).toEqual(input.evses.map((e) => e.uid));

    const loc = await db.selectFrom('location').selectAll().where('id', '=', created.locationIds[0]!).executeTakeFirstOrThrow();
    expect(loc).toMatchObject({ cpoOwnerId: owner.id, name: 'Two chargers', addressLat: '14.123450', addressLng: '121.500000', countryCode: 'PH', publish: false });
    const facilities = await db.selectFrom('locationFacility').innerJoin('facility', 'facility.id', 'locationFacility.facilityId')
      .select('facility.code').where('locationId', '=', loc.id).orderBy('facility.code').execute();
    expect(facilities.map((f) => f.code)).toEqual(['CAFE', 'CINEMA']);

    const connectors = await db.selectFrom('connector').innerJoin('evse', 'evse.id', 'connector.evseId')
      .select(['evse.uid', 'connector.connectorId', 'connector.standard', 'connector.powerType', 'connector.connectorType', 'connector.rateSetting'])
      .where('evse.locationId', '=', loc.id).orderBy('evse.id').orderBy('connector.connectorId').execute();
    expect(connectors).toEqual([
      { uid: input.evses[0]!.uid, connectorId: 1, standard: 'CHADEMO', powerType: 'AC_1_PHASE', connectorType: 'CHADEMO', rateSetting: null },
      { uid: input.evses[1]!.uid, connectorId: 1, standard: 'TYPE_2', powerType: 'AC_3_PHASE', connectorType: 'TYPE_2', rateSetting: null },
      { uid: input.evses[1]!.uid, connectorId: 2, standard: 'CCS2', powerType: 'DC', connectorType: 'CCS2', rateSetting: '21.50' },
    ]);

    const [mail] = await db.selectFrom('mailOutbox').selectAll().where('recipient', '=', owner.email).orderBy('id', 'desc').limit(1).execute();
    for (const e of input.evses) {
      const cp = await chargePointService.get(db, e.uid);
      expect(cp?.registrationStatus).toBe('Accepted');
      const password = new RegExp(`identity \\(EVSE uid\\): ${e.uid}\\n  OCPP URL: wss://cs.example.com/ocpp/${e.uid}\\n  Password: (\\S+)`).exec(mail!.body)?.[1];
      expect(password).toBeDefined();
      expect(await verifyPassword(password!, cp!.passwordHash!)).toBe(true);
    }
    const after = await counts();
    expect(after.location - before.location).toBe(1);
    expect(after.evse - before.evse).toBe(2);
    expect(after.connector - before.connector).toBe(3);
    expect(after.mailOutbox - before.mailOutbox).toBe(1);
  });

  it('completes the registration of a charger that connected while unknown (Pending)', async () => {
    const id = uid();
    await db.insertInto('chargePoint').values({ id, passwordHash: null, registrationStatus: 'Pending' }).execute();
    await locationService.createLocations(db, owner.id, [location({}, [evse({ uid: id })])], { mailer });
    const cp = await chargePointService.get(db, id);
    // A generated password: stored as a fast digest (security/password.ts), not scrypt.
    expect(cp).toMatchObject({ registrationStatus: 'Accepted', passwordHash: expect.stringMatching(/^sha256\$/) });
  });

  it('refuses taken uids with 409, and bad input with 400, writing nothing', async () => {
    const registered = uid();
    await chargePointService.register(db, { id: registered, password: null });
    const existing = (await locationService.createLocations(db, owner.id, [location()], { mailer })).evses[0]!.uid;
    const before = await counts();

    const taken = await rejectionOf(locationService.createLocations(db, owner.id, [location({}, [evse(), evse({ uid: registered })])], { mailer }));
    expect(taken).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(registered) });
    expect((await rejectionOf(locationService.createLocations(db, owner.id, [location(), location({}, [evse({ uid: existing })])], { mailer }))).code).toBe('CONFLICT');

    const twice = uid();
    const repeated = await rejectionOf(locationService.createLocations(db, owner.id, [location({}, [evse({ uid: twice })]), location({}, [evse({ uid: twice })])], { mailer }));
    expect(repeated).toMatchObject({ code: 'VALIDATION_FAILED', message: `EVSE uid ${twice} appears more than once in the request` });

    const unknownCode = await rejectionOf(locationService.createLocations(db, owner.id, [location(), location({ facilities: ['CAFE', 'SAUNA'] })], { mailer }));
    expect(unknownCode).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/^locations\[1\]\.facilities: unknown facility code SAUNA; valid: BANKS\/ATM, /) });
    const badStandard = await rejectionOf(locationService.createLocations(db, owner.id, [location({}, [evse({ connectors: [
      { standard: 'NACS', format: 'CABLE', power_type: 'DC', max_voltage: 500, max_amperage: 100, max_electric_power: 50 },
    ] })])], { mailer }));
    expect(badStandard.message).toMatch(/^locations\[0\]\.evses\[0\]\.connectors\[0\]\.standard: unknown connector type code NACS/);
    const badIds = await rejectionOf(locationService.createLocations(db, owner.id, [location({}, [evse({ connectors: [
      { connector_id: 2, standard: 'TYPE_2', format: 'CABLE', power_type: 'DC', max_voltage: 500, max_amperage: 100, max_electric_power: 50 },
    ] })])], { mailer }));
    expect(badIds.code).toBe('VALIDATION_FAILED');

    expect(await counts()).toEqual(before);
  });

  it('needs a contact address for the passwords', async () => {
    const silent = await createOwner('CCC', null);
    expect((await rejectionOf(locationService.createLocations(db, silent.id, [location()], { mailer }))).code).toBe('CONFLICT');
  });
});

describe('addEvse', () => {
  let locationId: number;
  beforeEach(async () => {
    locationId = (await locationService.createLocations(db, owner.id, [location({}, [])], { mailer })).locationIds[0]!;
  });

  it('adds an EVSE and its charger to an own location', async () => {
    const input = LocationInputSchema.parse({ ...location(), evses: [evse()] }).evses[0]!;
    const created = await locationService.addEvse(db, owner.id, locationId, input, { mailer });
    expect(created.uid).toBe(input.uid);
    const row = await db.selectFrom('evse').selectAll().where('uid', '=', input.uid).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ locationId, status: 'AVAILABLE', kwh: '7.000', meterType: 'AC' });
    expect((await chargePointService.get(db, input.uid))?.registrationStatus).toBe('Accepted');
  });

  it('answers 404 for another CPO\'s location (and for none), writing nothing', async () => {
    const input = LocationInputSchema.parse({ ...location(), evses: [evse()] }).evses[0]!;
    const before = await counts();
    expect((await rejectionOf(locationService.addEvse(db, other.id, locationId, input, { mailer }))).code).toBe('NOT_FOUND');
    expect((await rejectionOf(locationService.addEvse(db, owner.id, 987_654, input, { mailer }))).code).toBe('NOT_FOUND');
    expect(await counts()).toEqual(before);
  });
});

describe('importLocationsCsv', () => {
  it('imports the sample file as pending locations with their chargers', async () => {
    const result = await locationService.importLocationsCsv(db, other.id, SAMPLE, { mailer });
    expect(result).toEqual({ rows: 6, locations: 3, evses: 4, connectors: 6 });
    const locations = await db.selectFrom('location').select(['name', 'publish', 'province']).where('cpoOwnerId', '=', other.id).orderBy('id').execute();
    expect(locations).toEqual([
      { name: 'SM City Sample', publish: false, province: 'Zambales' },
      { name: "Yan-Yan's Store", publish: false, province: 'Laguna' },
      { name: 'Seaside Hotel', publish: false, province: 'Metro Manila' },
    ]);
    const cp = await chargePointService.get(db, 'SAMPLE-EVSE-002');
    expect(cp?.registrationStatus).toBe('Accepted');
    const mail = (await db.selectFrom('mailOutbox').selectAll().where('recipient', '=', other.email).orderBy('id', 'desc').executeTakeFirstOrThrow()).body;
    expect(mail.match(/Password: /g)).toHaveLength(4);
  });

  it('reports every bad row, and a second import of the same file as taken uids, writing nothing', async () => {
    const before = await counts();
    const again = await rejectionOf(locationService.importLocationsCsv(db, other.id, SAMPLE, { mailer }));
    expect(again).toMatchObject({ code: 'VALIDATION_FAILED', message: 'CSV has 4 invalid rows; nothing was imported' });
    expect((again.details as { errors: unknown[] }).errors).toEqual([2, 4, 6, 7].map((line) => ({ line, column: 'evse_uid', reason: expect.stringMatching(/is already registered/) })));

    const bad = path.join(dir, `bad-${randomBytes(3).toString('hex')}.csv`);
    await writeFile(bad, [
      'location_ref,name,address,lat,lng,evse_uid,connector_id,standard,format,power_type,max_voltage,max_amperage,max_electric_power,facilities',
      `A,Hub,Street,14.1,121.1,${uid()},1,TYPE_2,SOCKET,AC,230,16,4,CAFE`,
      `A,Hub,Street,14.1,121.1,${uid()},1,TYPE_9,SOCKET,AC,230,16,4,CAFE`,
      `B,Hub,Street,94.1,121.1,${uid()},1,TYPE_2,SOCKET,AC,230,16,4,SAUNA`,
    ].join('\n'));
    const invalid = await rejectionOf(locationService.importLocationsCsv(db, other.id, bad, { mailer }));
    expect(invalid.message).toBe('CSV has 2 invalid rows; nothing was imported');
    expect((invalid.details as { errors: Array<{ line: number; column: string }> }).errors.map((e) => [e.line, e.column])).toEqual([
      [3, 'standard'], [4, 'lat'], [4, 'facilities'],
    ]);
    expect(await counts()).toEqual(before);
  });
});

describe('token C', () => {
  it('finds the owner of a token for its own party only', async () => {
    await expect(authenticateTokenC(db, 'token-AAA', { countryCode: 'ph', partyId: 'AAA' })).resolves.toMatchObject({ id: owner.id });
    expect((await rejectionOf(authenticateTokenC(db, 'token-AAA', { countryCode: 'PH', partyId: 'BBB' }))).code).toBe('FORBIDDEN');
    expect((await rejectionOf(authenticateTokenC(db, 'nope', { countryCode: 'PH', partyId: 'AAA' }))).code).toBe('UNAUTHENTICATED');
  });
});
