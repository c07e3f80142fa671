import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cpoService from '../../src/cpo/cpo.service.ts';
import * as locationRepository from '../../src/locations/location.repository.ts';
import * as tariffService from '../../src/tariffs/tariff.service.ts';
import * as userService from '../../src/users/user.service.ts';
import { call, type Answer } from '../fixtures/cpo-client.ts';
import { startTestApp, type TestApp } from '../fixtures/test-app.ts';

// A CPO managing its tariffs and its driver-support details over the CPO REST API (Bearer CPO_OWNER),
// against the whole app over real HTTP.

const BASE = '/ocpi/cpo/api/v1';

interface Cpo {
  id: number;
  token: string;
  locationId: number;
  evseUid: string;
  evseId: number;
  connectorIds: number[];
}

let t: TestApp;
let cpo: Cpo;
let rival: Cpo;

async function createCpo(partyId: string): Promise<Cpo> {
  const owner = await locationRepository.insertCpoOwner(t.db, { name: `CPO ${partyId}`, countryCode: 'PH', partyId, contactEmail: `ops@${partyId.toLowerCase()}.example` });
  const location = await locationRepository.insertLocation(t.db, {
    cpoOwnerId: owner.id, name: `${partyId} Hub`, address: '1 Main St', countryCode: 'PH', addressLat: '14.5', addressLng: '121.0', publish: true,
  });
  const evseUid = `${partyId}-CP-${randomBytes(3).toString('hex')}`;
  const evse = await locationRepository.insertEvse(t.db, { uid: evseUid, locationId: location.id, meterType: 'DC', kwh: 50 });
  const spec = { standard: 'CCS2', format: 'CABLE', powerType: 'DC', maxVoltage: 920, maxAmperage: 125, maxElectricPower: 50000 };
  const connectors = await locationRepository.insertConnectors(t.db, [1, 2].map((n) => ({ ...spec, evseId: evse.id, connectorId: n })));
  const username = `cpo-${partyId.toLowerCase()}-${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  await userService.createUser(t.db, { username, password, role: 'CPO_OWNER', cpoOwnerId: owner.id });
  const login = await call(t, 'POST', '/api/v1/auth/login', { json: { username, password } });
  expect(login.status).toBe(200);
  return { id: owner.id, token: login.body.data.access_token, locationId: location.id, evseUid, evseId: evse.id, connectorIds: connectors.map((c) => c.id) };
}

const api = (method: string, path: string, json?: unknown, who: Cpo = cpo): Promise<Answer> =>
  call(t, method, `${BASE}${path}`, { token: who.token, ...(json !== undefined ? { json } : {}) });

const tariffCount = async () => Number((await t.db.selectFrom('tariff').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

const ac = (over: Record<string, unknown> = {}) => ({
  name: 'AC standard', currency: 'PHP', energy_price: 18.5, session_fee: '20', tax_percent: 12, cancellation_fee_percent: '30',
  surcharges: [{ from: '18:00', to: '22:00', percent: 20, description: 'Evening peak' }], time_zone: 'Asia/Manila', ...over,
});

beforeAll(async () => {
  t = await startTestApp();
  cpo = await createCpo('TRF');
  rival = await createCpo('RVL');
});

afterAll(async () => {
  await t?.close();
});

describe('POST /tariffs', () => {
  it('creates a CPO-wide tariff, with every decimal at its scale and the defaults filled in', async () => {
    const res = await api('POST', '/tariffs', { name: 'Everywhere', currency: 'PHP', energy_price: '15' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 201, message: 'Success' });
    expect(res.body.data).toEqual({
      id: expect.any(Number), name: 'Everywhere', currency: 'PHP',
      scope: { location_id: null, evse_uid: null, connector_id: null },
      energy_price: '15.0000', time_price: '0.0000', session_fee: '0.00', reservation_fee: '0.00', idle_fee: '0.0000', idle_grace_minutes: 0,
      tax_percent: '0.00', discount_percent: '0.00', discount_description: null, surcharges: [], cancellation_fee_percent: '0.00',
      payment_methods: ['UPI', 'Card', 'Wallet'], time_zone: 'UTC', active: true,
      date_created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), date_modified: expect.any(String),
    });
  });

  it('creates a location tariff, exact decimals from JSON numbers and strings', async () => {
    const res = await api('POST', '/tariffs', ac({ location_id: cpo.locationId, idle_fee: '0.1234', discount_percent: '10.5', discount_description: 'Launch offer' }));
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      scope: { location_id: cpo.locationId, evse_uid: null, connector_id: null },
      energy_price: '18.5000', session_fee: '20.00', tax_percent: '12.00', cancellation_fee_percent: '30.00', idle_fee: '0.1234',
      discount_percent: '10.50', discount_description: 'Launch offer', time_zone: 'Asia/Manila',
      surcharges: [{ from: '18:00', to: '22:00', percent: '20.00', description: 'Evening peak' }],
    });
    const row = await t.db.selectFrom('tariff').selectAll().where('id', '=', res.body.data.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ cpoOwnerId: cpo.id, locationId: cpo.locationId, evseId: null, connectorId: null, energyPrice: '18.5000' });
  });

  it('creates a charger tariff and a connector tariff, storing their ancestors', async () => {
    const evse = await api('POST', '/tariffs', ac({ name: 'DC fast', evse_uid: cpo.evseUid, energy_price: '24.00', idle_fee: 1, idle_grace_minutes: 15 }));
    expect(evse.status).toBe(201);
    expect(evse.body.data.scope).toEqual({ location_id: cpo.locationId, evse_uid: cpo.evseUid, connector_id: null });
    const connector = await api('POST', '/tariffs', ac({ name: 'CCS2 only', evse_uid: cpo.evseUid, connector_id: 2, surcharges: [{ from: '22:00', to: '06:00', days: [7, 6], percent: '5' }, { from: '18:00', to: '24:00', percent: 10 }] }));
    expect(connector.status).toBe(201);
    expect(connector.body.data.scope).toEqual({ location_id: cpo.locationId, evse_uid: cpo.evseUid, connector_id: 2 });
    expect(connector.body.data.surcharges).toEqual([{ from: '22:00', to: '06:00', days: [6, 7], percent: '5.00' }, { from: '18:00', to: '24:00', percent: '10.00' }]);
    const row = await t.db.selectFrom('tariff').selectAll().where('id', '=', connector.body.data.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ locationId: cpo.locationId, evseId: cpo.evseId, connectorId: cpo.connectorIds[1] });
  });

  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a negative price', { energy_price: -1 }, /body energy_price: must not be negative/],
    ['a per-kWh price with 5 decimals', { energy_price: '18.12345' }, /body energy_price: must have at most 4 decimals/],
    ['a fee with 3 decimals', { session_fee: 20.125 }, /body session_fee: must have at most 2 decimals/],
    ['a percentage over 100', { tax_percent: '100.01' }, /body tax_percent: must be a percentage from 0 to 100/],
    ['a price that is no number', { energy_price: '1e3' }, /body energy_price: must be a plain decimal/],
    ['a lower-case currency', { currency: 'php' }, /body currency: must be an ISO 4217 code/],
    ['an unknown currency', { currency: 'XYZ' }, /body currency: XYZ is not an ISO 4217 currency/],
    ['an unknown time zone', { time_zone: 'Mars/Olympus_Mons' }, /body time_zone: .* is not an IANA time zone/],
    ['a surcharge window at 25:00', { surcharges: [{ from: '18:00', to: '25:00', percent: 20 }] }, /body surcharges\.0\.to: must be a time of day HH:MM/],
    ['a surcharge on day 8', { surcharges: [{ from: '18:00', to: '22:00', days: [8], percent: 20 }] }, /body surcharges\.0\.days\.0: days are 1/],
    ['an empty surcharge window', { surcharges: [{ from: '18:00', to: '18:00', percent: 20 }] }, /body surcharges\.0\.to: must end at another time/],
    ['an unknown payment method', { payment_methods: ['UPI', 'Cash'] }, /body payment_methods\.1: must be one of UPI, Card/],
    ['connector_id without evse_uid', { connector_id: 1 }, /body connector_id: connector_id needs evse_uid/],
    ['no name', { name: undefined }, /body name: is required/],
    ['an unknown field', { energy: 1 }, /body/],
  ];
  it.each(refused)('refuses %s with a 400 naming the field, writing nothing', async (_what, over, message) => {
    const before = await tariffCount();
    const res = await api('POST', '/tariffs', ac(over));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(res.body.message).toMatch(message);
    expect(await tariffCount()).toBe(before);
  });

  it('answers 404 for a charger, connector or location that is not yours, writing nothing', async () => {
    const before = await tariffCount();
    for (const body of [
      ac({ evse_uid: 'NO-SUCH-CHARGER' }),
      ac({ evse_uid: rival.evseUid }),
      ac({ evse_uid: cpo.evseUid, connector_id: 9 }),
      ac({ location_id: rival.locationId }),
    ]) {
      const res = await api('POST', '/tariffs', body);
      expect(res.status, JSON.stringify(body)).toBe(404);
      expect(res.body.code).toBe('NOT_FOUND');
    }
    expect(await tariffCount()).toBe(before);
  });

  it('answers 401 without a token and writes nothing', async () => {
    const before = await tariffCount();
    const res = await call(t, 'POST', `${BASE}/tariffs`, { json: ac() });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
    expect((await call(t, 'GET', `${BASE}/tariffs`)).status).toBe(401);
    expect(await tariffCount()).toBe(before);
  });
});

describe('GET, PATCH and DELETE /tariffs', () => {
  it('lists, filters, pages, changes and deletes; the scope stays put', async () => {
    const mine = await api('POST', '/tariffs', ac({ name: 'Lifecycle', evse_uid: cpo.evseUid }));
    const id = mine.body.data.id as number;

    const all = await api('GET', '/tariffs');
    expect(all.status).toBe(200);
    expect(all.body.data.map((x: any) => x.id)).toContain(id);
    const atCharger = await api('GET', `/tariffs?evse_uid=${cpo.evseUid}`);
    expect(atCharger.body.data.every((x: any) => x.scope.evse_uid === cpo.evseUid)).toBe(true);
    expect(atCharger.body.data.map((x: any) => x.id)).toContain(id);
    const atLocation = await api('GET', `/tariffs?location_id=${cpo.locationId}`);
    expect(atLocation.body.data.every((x: any) => x.scope.location_id === cpo.locationId)).toBe(true);
    const page = await api('GET', '/tariffs?limit=1&offset=1');
    expect(page.body.data).toEqual([all.body.data[1]]);
    expect((await api('GET', '/tariffs?limit=0')).status).toBe(400);

    expect((await api('GET', `/tariffs/${id}`)).body.data).toEqual(mine.body.data);

    const patched = await api('PATCH', `/tariffs/${id}`, { energy_price: '19.9999', surcharges: [], discount_description: null });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ energy_price: '19.9999', surcharges: [], session_fee: '20.00', name: 'Lifecycle', scope: mine.body.data.scope });

    const before = await api('GET', `/tariffs/${id}`);
    for (const body of [{ evse_uid: 'OTHER' }, { location_id: cpo.locationId }, { energy_price: '1.00001' }, { time_zone: 'Nowhere/Land' }, {}]) {
      const res = await api('PATCH', `/tariffs/${id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await api('PATCH', `/tariffs/${id}`, { evse_uid: 'X' })).body.message).toMatch(/scope of a tariff cannot change/);
    expect((await api('GET', `/tariffs/${id}`)).body.data).toEqual(before.body.data);

    const deleted = await api('DELETE', `/tariffs/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toMatchObject({ id, active: false });
    expect((await api('GET', '/tariffs')).body.data.map((x: any) => x.id)).not.toContain(id);
    expect((await api('GET', '/tariffs?include_inactive=true')).body.data.map((x: any) => x.id)).toContain(id);
    expect((await api('GET', `/tariffs/${id}`)).body.data.active).toBe(false);
    expect((await api('DELETE', `/tariffs/${id}`)).status).toBe(200);
    expect((await api('PATCH', `/tariffs/${id}`, { name: 'back' })).status).toBe(409);
    // Still there for the orders that quoted it.
    expect(await tariffService.getById(t.db, id)).toMatchObject({ id, name: 'Lifecycle', energyPrice: '19.9999' });
  });

  it("answers 404 for another CPO's tariff, and does not list it", async () => {
    const theirs = await api('POST', '/tariffs', ac({ name: 'Rival' }), rival);
    expect(theirs.status).toBe(201);
    const id = theirs.body.data.id as number;
    expect((await api('GET', `/tariffs/${id}`)).status).toBe(404);
    expect((await api('PATCH', `/tariffs/${id}`, { name: 'mine now' })).status).toBe(404);
    expect((await api('DELETE', `/tariffs/${id}`)).status).toBe(404);
    expect((await api('GET', '/tariffs?limit=200')).body.data.map((x: any) => x.id)).not.toContain(id);
    expect((await api('GET', `/tariffs?evse_uid=${rival.evseUid}`)).body.data).toEqual([]);
    expect((await api('GET', `/tariffs/${id}`, undefined, rival)).body.data).toMatchObject({ name: 'Rival', active: true });
    expect((await api('GET', '/tariffs/abc')).status).toBe(400);
  });
});

describe('GET and PUT /support', () => {
  const details = { name: 'TRF helpdesk', phone: '+63 2 8888 0000', email: 'help@trf.example', url: 'https://trf.example/help', hours: 'Mon–Sun 06:00–22:00', channels: ['phone', 'web'] };

  it('is null until set, then round-trips; supportFor gives the same to the order API', async () => {
    expect(await cpoService.supportFor(t.db, cpo.id)).toBeUndefined();
    const empty = await api('GET', '/support');
    expect(empty.status).toBe(200);
    expect(empty.body.data).toBeNull();

    const put = await api('PUT', '/support', details);
    expect(put.status).toBe(200);
    expect(put.body.data).toEqual(details);
    expect((await api('GET', '/support')).body.data).toEqual(details);
    expect(await cpoService.supportFor(t.db, cpo.id)).toEqual(details);
    expect((await api('GET', '/support', undefined, rival)).body.data).toBeNull();

    const { url: _url, ...noUrl } = details;
    const changed = await api('PUT', '/support', { ...noUrl, channels: ['email', 'chat'] });
    expect(changed.body.data).toEqual({ ...noUrl, url: null, channels: ['email', 'chat'] });
  });

  it('refuses bad details with a 400 and keeps the old ones', async () => {
    await api('PUT', '/support', details);
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...details, phone: 'call us' }, /body phone: must be a phone number/],
      [{ ...details, email: 'nope' }, /body email: must be an e-mail address/],
      [{ ...details, channels: ['fax'] }, /body channels\.0: must be one of phone, email, web, chat/],
      [{ ...details, url: null }, /body url: is required with the web channel/],
      [{ ...details, hours: undefined }, /body hours: is required/],
    ];
    for (const [body, message] of bad) {
      const res = await api('PUT', '/support', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    expect((await api('GET', '/support')).body.data).toEqual(details);
    expect((await call(t, 'PUT', `${BASE}/support`, { json: details })).status).toBe(401);
  });
});
