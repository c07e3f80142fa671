import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedChargePoint } from '../../simulators/charge-point.ts';
import * as apiClientService from '../../src/api-clients/api-client.service.ts';
import * as chargePointService from '../../src/charge-points/charge-point.service.ts';
import * as locationRepository from '../../src/locations/location.repository.ts';
import * as userService from '../../src/users/user.service.ts';
import { basicAuth, call as callApp, image, loginCpoUser, type CallOptions } from '../fixtures/cpo-client.ts';
import { buildOpenApiDocument, createOpenApiRegistry } from '../../src/http/openapi.ts';
import { accountRoutes } from '../../src/ocpi/accounts.routes.ts';
import { filterRoutes } from '../../src/ocpi/filters.routes.ts';
import type { OcpiDeps } from '../../src/ocpi/ocpi-deps.ts';
import { pendingRoutes } from '../../src/ocpi/pending.routes.ts';
import { photoRoutes } from '../../src/ocpi/photos.routes.ts';
import { uploadsRoutes } from '../../src/ocpi/uploads.routes.ts';
import { createUploadStore } from '../../src/uploads/upload-store.ts';
import { eventually, startTestApp, type TestApp } from '../fixtures/test-app.ts';

let t: TestApp;
let uploadDir: string;
let client: string;
let revokedClient: string;
const chargers: SimulatedChargePoint[] = [];

const call = (method: string, urlPath: string, options?: CallOptions) => callApp(t, method, urlPath, options);

beforeAll(async () => {
  uploadDir = await mkdtemp(path.join(tmpdir(), 'cpo-accounts-uploads-'));
  t = await startTestApp({ env: { UPLOAD_DIR: uploadDir } });
  const issued = await apiClientService.issue(t.db, { name: 'Map app' });
  client = basicAuth(issued.client.clientId, issued.secret);
  const old = await apiClientService.issue(t.db, { name: 'Retired app' });
  await apiClientService.revoke(t.db, old.client.clientId);
  revokedClient = basicAuth(old.client.clientId, old.secret);
});

afterAll(async () => {
  await Promise.all(chargers.map((c) => c.close().catch(() => undefined)));
  await t.close();
  await rm(uploadDir, { recursive: true, force: true });
});

const SOLARIUS = {
  username: 'solarius',
  cpo_owner_name: 'Solarius',
  contact_name: 'Solarius CEO',
  contact_number: '09123456782',
  contact_email: 'ceo@solarius.example',
  ocpp_ready: true,
};

const counts = async () => {
  const n = async (table: 'cpoOwner' | 'appUser' | 'mailOutbox') =>
    Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { owners: await n('cpoOwner'), users: await n('appUser'), mails: await n('mailOutbox') };
};

/** The one-time password and token C from the registration mail. */
async function registrationMail(recipient: string) {
  const mail = await t.db.selectFrom('mailOutbox').selectAll().where('recipient', '=', recipient).orderBy('id', 'desc').executeTakeFirstOrThrow();
  return {
    mail,
    oneTimePassword: /one-time password: (\S+)/.exec(mail.body)![1]!,
    tokenC: /Token C[^\n]*\n\s+(\S+)/.exec(mail.body)![1]!,
  };
}

let solariusToken: string;

describe('POST /ocpi/cpo/2.2/register', () => {
  it('registers a CPO and answers as the spec shows', async () => {
    const res = await call('POST', '/ocpi/cpo/2.2/register', { authorization: client, json: SOLARIUS });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 200, data: 'SUCCESS', message: 'Success' });

    const owner = await t.db.selectFrom('cpoOwner').selectAll().where('name', '=', 'Solarius').executeTakeFirstOrThrow();
    expect(owner).toMatchObject({ countryCode: 'PH', partyId: 'SOL', contactName: 'Solarius CEO', contactNumber: '09123456782', ocppReady: true, logo: null });
    const user = await t.db.selectFrom('appUser').selectAll().where('username', '=', 'solarius').executeTakeFirstOrThrow();
    expect(user).toMatchObject({ role: 'CPO_OWNER', cpoOwnerId: owner.id, mustChangePassword: true });

    const { mail, oneTimePassword, tokenC } = await registrationMail(SOLARIUS.contact_email);
    expect(mail.subject).toContain('PH/SOL');
    expect(mail.body).toContain('username: solarius');
    expect(tokenC).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(owner.tokenCHash).toBe(createHash('sha256').update(tokenC).digest('hex'));
    expect(user.passwordHash).not.toContain(oneTimePassword);

    // The one-time password logs in.
    solariusToken = await loginCpoUser(t, client, 'solarius', oneTimePassword, true);
  });

  it('GET /details answers the CPO as the spec shows', async () => {
    const res = await call('GET', '/ocpi/cpo/2.2/details', { token: solariusToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 200,
      data: {
        party_id: 'SOL',
        cpo_owner_name: 'Solarius',
        contact_name: 'Solarius CEO',
        contact_number: '09123456782',
        contact_email: 'ceo@solarius.example',
        logo: null,
      },
      message: 'Success',
    });
    expect((await call('GET', '/ocpi/cpo/2.2/details')).status).toBe(401);
    expect((await call('GET', '/ocpi/cpo/2.2/details', { authorization: client })).status).toBe(401);
  });

  it('derives the next party id for the same name, and takes a given party id and country', async () => {
    const again = { ...SOLARIUS, username: 'solarius-two', contact_email: 'two@solarius.example' };
    expect((await call('POST', '/ocpi/cpo/2.2/register', { authorization: client, json: again })).status).toBe(200);
    const given = { ...SOLARIUS, username: 'solarius-sg', contact_email: 'sg@solarius.example', party_id: 'slr', country_code: 'SG' };
    expect((await call('POST', '/ocpi/cpo/2.2/register', { authorization: client, json: given })).status).toBe(200);
    const owners = await t.db.selectFrom('cpoOwner').select(['countryCode', 'partyId']).where('name', '=', 'Solarius').orderBy('id').execute();
    expect(owners).toEqual([
      { countryCode: 'PH', partyId: 'SOL' },
      { countryCode: 'PH', partyId: 'SO2' },
      { countryCode: 'SG', partyId: 'SLR' },
    ]);
  });

  it('needs a valid, unrevoked API client (Basic), and writes nothing without one', async () => {
    const before = await counts();
    const body = { ...SOLARIUS, username: 'nobody-here' };
    const cases = [undefined, revokedClient, basicAuth('no-such-client', 'whatever-secret-123'), `Bearer ${solariusToken}`];
    for (const authorization of cases) {
      const res = await call('POST', '/ocpi/cpo/2.2/register', { json: body, ...(authorization ? { authorization } : {}) });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    }
    const revoked = await call('POST', '/ocpi/cpo/2.2/register', { authorization: revokedClient, json: body });
    expect(revoked.body.message).toBe('this API client has been revoked');
    expect(await counts()).toEqual(before);
  });

  it.each(['username', 'cpo_owner_name', 'contact_name', 'contact_number', 'contact_email', 'ocpp_ready'])(
    'refuses a body without %s with 400 naming it',
    async (field) => {
      const before = await counts();
      const body: Record<string, unknown> = { ...SOLARIUS, username: 'missing-field' };
      delete body[field];
      const res = await call('POST', '/ocpi/cpo/2.2/register', { authorization: client, json: body });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: `body ${field}: is required` });
      expect(await counts()).toEqual(before);
    },
  );

  it.each([
    ['contact_email', 'not-an-email', 'body contact_email: must be an e-mail address'],
    ['contact_number', '12-34', 'body contact_number: must be a phone number of 7 to 15 digits'],
    ['contact_number', '0912345678901234', 'body contact_number: must be a phone number of 7 to 15 digits'],
    ['ocpp_ready', 'yes', 'body ocpp_ready: must be true or false'],
    ['username', 'a b', 'body username: must be 3 to 64 characters of letters, digits and . _ - @'],
    ['cpo_owner_name', '   ', 'body cpo_owner_name: must not be empty'],
    ['party_id', 'SOLAR', 'body party_id: must be three letters or digits'],
    ['country_code', 'PHL', 'body country_code: must be two letters'],
  ])('refuses %s = %j with 400', async (field, value, message) => {
    const res = await call('POST', '/ocpi/cpo/2.2/register', { authorization: client, json: { ...SOLARIUS, username: 'bad-field', [field]: value } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', message });
  });

  it('refuses unknown fields and a logo that was never uploaded', async () => {
    const extra = await call('POST', '/ocpi/cpo/2.2/register', { authorization: client, json: { ...SOLARIUS, username: 'extra', contact_mail: 'x@y.z' } });
    expect(extra.status).toBe(400);
    expect(extra.body.message).toContain('contact_mail');
    const logo = await call('POST', '/ocpi/cpo/2.2/register', { authorization: client, json: { ...SOLARIUS, username: 'with-logo', logo: 'cpo-logo.png' } });
    expect(logo.status).toBe(400);
    expect(logo.body.message).toContain('is not an uploaded logo');
  });

  it('refuses a taken username (any case) with 409 and writes nothing', async () => {
    const before = await counts();
    const res = await call('POST', '/ocpi/cpo/2.2/register', {
      authorization: client,
      json: { ...SOLARIUS, username: 'Solarius', cpo_owner_name: 'Another Operator', contact_email: 'another@example.com' },
    });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ status: 409, data: null, message: 'username Solarius is already taken', code: 'CONFLICT' });
    expect(await counts()).toEqual(before);
    expect(await t.db.selectFrom('cpoOwner').select('id').where('name', '=', 'Another Operator').execute()).toEqual([]);
  });

  it('refuses a taken party id with 409 and writes nothing', async () => {
    const before = await counts();
    const res = await call('POST', '/ocpi/cpo/2.2/register', {
      authorization: client,
      json: { ...SOLARIUS, username: 'party-clash', party_id: 'SOL', contact_email: 'clash@example.com' },
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 409, message: 'party PH/SOL is already registered', code: 'CONFLICT' });
    expect(await counts()).toEqual(before);
    expect(await t.db.selectFrom('appUser').select('id').where('username', '=', 'party-clash').execute()).toEqual([]);
  });
});

describe('CPO logo', () => {
  let logoPath: string;

  it('POST /cpo/upload (Basic) stores the image and answers its place in Location', async () => {
    const res = await call('POST', '/ocpi/cpo/2.2/cpo/upload', {
      authorization: client,
      form: { files: [{ field: 'cpo_logo', name: 'solarius.png', bytes: image('pixel.png'), type: 'image/png' }] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 200, data: [], message: 'Success' });
    logoPath = res.headers.get('location')!;
    expect(logoPath).toMatch(/^\/uploads\/logo-[0-9a-f]{32}\.png$/);

    const served = await fetch(`${t.httpUrl}${logoPath}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(image('pixel.png'));

    expect((await call('POST', '/ocpi/cpo/2.2/cpo/upload', { form: { files: [{ field: 'cpo_logo', name: 'a.png', bytes: image('pixel.png') }] } })).status).toBe(401);
    expect(
      (await call('POST', '/ocpi/cpo/2.2/cpo/upload', { authorization: revokedClient, form: { files: [{ field: 'cpo_logo', name: 'a.png', bytes: image('pixel.png') }] } })).status,
    ).toBe(401);
  });

  it('PATCH /cpo/logo/upload (Bearer) sets it; details show its URL', async () => {
    const fileName = logoPath.split('/').pop()!;
    const res = await call('PATCH', '/ocpi/cpo/2.2/cpo/logo/upload', { token: solariusToken, json: { logo: fileName } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 200, data: [], message: 'Success' });
    expect((await call('GET', '/ocpi/cpo/2.2/details', { token: solariusToken })).body.data.logo).toBe(logoPath);

    // A new logo (given as its Location) replaces it, and the old file goes.
    const upload = await call('POST', '/ocpi/cpo/2.2/cpo/upload', {
      authorization: client,
      form: { files: [{ field: 'cpo_logo', name: 'new.jpg', bytes: image('pixel.jpg') }] },
    });
    const newPath = upload.headers.get('location')!;
    expect(newPath).toMatch(/\.jpg$/);
    expect((await call('PATCH', '/ocpi/cpo/2.2/cpo/logo/upload', { token: solariusToken, json: { logo: newPath } })).status).toBe(200);
    expect((await call('GET', '/ocpi/cpo/2.2/details', { token: solariusToken })).body.data.logo).toBe(newPath);
    expect((await fetch(`${t.httpUrl}${logoPath}`)).status).toBe(404);
  });

  it('PATCH refuses what is not an uploaded logo, and callers without a CPO bearer token', async () => {
    for (const logo of ['cpo-logo.png', '../../etc/passwd', `logo-${'0'.repeat(32)}.png`]) {
      const res = await call('PATCH', '/ocpi/cpo/2.2/cpo/logo/upload', { token: solariusToken, json: { logo } });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await call('PATCH', '/ocpi/cpo/2.2/cpo/logo/upload', { token: solariusToken, json: {} })).body.message).toBe('body logo: is required');
    expect((await call('PATCH', '/ocpi/cpo/2.2/cpo/logo/upload', { json: { logo: 'x' } })).status).toBe(401);
    expect((await call('PATCH', '/ocpi/cpo/2.2/cpo/logo/upload', { authorization: client, json: { logo: 'x' } })).status).toBe(401);
  });

  it('register accepts an uploaded logo', async () => {
    const upload = await call('POST', '/ocpi/cpo/2.2/cpo/upload', {
      authorization: client,
      form: { files: [{ field: 'cpo_logo', name: 'voltz.gif', bytes: image('pixel.gif') }] },
    });
    const logo = upload.headers.get('location')!.split('/').pop()!;
    const body = { ...SOLARIUS, username: 'voltz', cpo_owner_name: 'Voltz', contact_email: 'ops@voltz.example', logo };
    expect((await call('POST', '/ocpi/cpo/2.2/register', { authorization: client, json: body })).status).toBe(200);
    const owner = await t.db.selectFrom('cpoOwner').selectAll().where('name', '=', 'Voltz').executeTakeFirstOrThrow();
    expect(owner).toMatchObject({ partyId: 'VOL', logo });
  });
});

describe('GET /ocpi/cpo/2.2/filters', () => {
  it('answers every reference list, the connector types as the spec shows', async () => {
    const res = await call('GET', '/ocpi/cpo/2.2/filters', { authorization: client });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Success');
    expect(Object.keys(res.body.data).sort()).toEqual(['capabilities', 'connector_types', 'facilities', 'parking_restrictions', 'parking_types', 'payment_types']);
    expect(res.body.data.connector_types.slice(0, 4)).toEqual([
      { id: 1, code: 'TYPE_1', description: 'Type 1' },
      { id: 2, code: 'TYPE_2', description: 'Type 2' },
      { id: 3, code: 'CHADEMO', description: 'CHADEMO' },
      { id: 4, code: 'GBT', description: 'GBT' },
    ]);
    expect(res.body.data.facilities).toHaveLength(16);
    expect(res.body.data.capabilities.map((c: { code: string }) => c.code)).toEqual(['CREDIT_DEBIT_PAYABLE', 'QR_READER', 'PRIVILEGE_AND_LOYALTY']);
    expect(res.body.data.payment_types.map((c: { code: string }) => c.code)).toEqual(['GCASH', 'MAYA']);
    expect(res.body.data.parking_types.map((c: { code: string }) => c.code)).toEqual(['INDOOR', 'OUTDOOR']);
    expect(res.body.data.parking_restrictions[0]).toEqual({ id: 1, code: 'EV_ONLY', description: 'EV only' });

    expect((await call('GET', '/ocpi/cpo/2.2/filters')).status).toBe(401);
    expect((await call('GET', '/ocpi/cpo/2.2/filters', { authorization: revokedClient })).status).toBe(401);
  });
});

describe('GET /ocpi/cpo/2.2/filters/cities/:province_name', () => {
  it('answers the distinct cities of published locations in the province, any case, sorted', async () => {
    // Another CPO's sites: Solarius keeps a clean slate for the pending tests.
    const owner = await t.db.selectFrom('cpoOwner').select('id').where('partyId', '=', 'VOL').executeTakeFirstOrThrow();
    const add = (city: string, province: string, publish = true) =>
      locationRepository.insertLocation(t.db, {
        cpoOwnerId: owner.id, name: `${city} site`, address: 'Rizal Ave', addressLat: '14.83', addressLng: '120.28', countryCode: 'PH', city, province, publish,
      });
    await add('Olongapo', 'Zambales');
    await add('Olongapo', 'Zambales');
    await add('Subic', 'Zambales', false); // pending: not on the map yet
    await add('Makati', 'Metro Manila');
    await add('Taguig', 'metro manila');

    const res = await call('GET', '/ocpi/cpo/2.2/filters/cities/Zambales', { authorization: client });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 200, data: [{ city: 'Olongapo' }], message: 'Success' });
    expect((await call('GET', '/ocpi/cpo/2.2/filters/cities/METRO%20MANILA', { authorization: client })).body.data).toEqual([{ city: 'Makati' }, { city: 'Taguig' }]);
    expect((await call('GET', '/ocpi/cpo/2.2/filters/cities/Atlantis', { authorization: client })).body.data).toEqual([]);
    expect((await call('GET', '/ocpi/cpo/2.2/filters/cities/Zambales')).status).toBe(401);
  });
});

describe('pending locations and EVSEs', () => {
  let adminToken: string;
  let locationId: number;

  beforeAll(async () => {
    await userService.createUser(t.db, { username: 'emsp-admin', password: 'emsp-admin-password', role: 'ADMIN' });
    adminToken = await loginCpoUser(t, client, 'emsp-admin', 'emsp-admin-password');
  });

  it('a CPO without any location has nothing pending', async () => {
    const res = await call('GET', '/ocpi/cpo/2.2/locations/pending', { token: solariusToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 200, data: 'NO_PENDING_LOCATIONS_AND_EVSES', message: 'Success' });
  });

  it('counts a new location and its EVSEs as pending', async () => {
    const owner = await t.db.selectFrom('cpoOwner').select('id').where('partyId', '=', 'SOL').where('countryCode', '=', 'PH').executeTakeFirstOrThrow();
    const location = await locationRepository.insertLocation(t.db, {
      cpoOwnerId: owner.id, name: 'Solarius Hub', address: 'Olongapo-Gapan Rd', addressLat: '14.95', addressLng: '120.1', countryCode: 'PH', city: 'Dinalupihan', province: 'Bataan',
    });
    locationId = location.id;
    for (const uid of ['SOL-CP-1', 'SOL-CP-2']) {
      await locationRepository.insertEvse(t.db, { uid, locationId });
      await chargePointService.register(t.db, { id: uid, password: null });
    }
    const res = await call('GET', '/ocpi/cpo/2.2/locations/pending', { token: solariusToken });
    expect(res.body).toEqual({ status: 200, data: [{ pending_locations: 1, pending_evses: 2 }], message: 'Success' });
  });

  it('administrators see the queue; only they may approve', async () => {
    const queue = await call('GET', '/api/v1/pending/locations', { token: adminToken });
    expect(queue.status).toBe(200);
    expect(queue.body.data.map((l: { name: string }) => l.name)).toEqual(['Subic site', 'Solarius Hub']);
    expect(queue.body.data[1]).toEqual(expect.objectContaining({ id: locationId, party_id: 'SOL', cpo_owner_name: 'Solarius', evse_count: 2 }));
    const solariusId = queue.body.data[1].cpo_owner_id as number;
    const own = await call('GET', `/api/v1/pending/locations?cpo_owner_id=${solariusId}`, { token: adminToken });
    expect(own.body.data.map((l: { id: number }) => l.id)).toEqual([locationId]);
    const evses = await call('GET', `/api/v1/pending/evses?cpo_owner_id=${solariusId}`, { token: adminToken });
    expect(evses.body.data.map((e: { uid: string; registered: boolean }) => [e.uid, e.registered])).toEqual([['SOL-CP-1', true], ['SOL-CP-2', true]]);

    expect((await call('GET', '/api/v1/pending/locations', { token: solariusToken })).status).toBe(403);
    expect((await call('POST', `/api/v1/locations/${locationId}/approve`, { token: solariusToken })).status).toBe(403);
    expect((await call('POST', `/api/v1/locations/${locationId}/approve`)).status).toBe(401);
    expect((await call('POST', '/api/v1/locations/999999/approve', { token: adminToken })).status).toBe(404);
    expect((await call('POST', '/api/v1/locations/abc/approve', { token: adminToken })).status).toBe(400);

    const approved = await call('POST', `/api/v1/locations/${locationId}/approve`, { token: adminToken });
    expect(approved.status).toBe(200);
    expect(approved.body.data).toEqual({ id: locationId, name: 'Solarius Hub', publish: true });
    expect((await call('GET', `/api/v1/pending/locations?cpo_owner_id=${solariusId}`, { token: adminToken })).body.data).toEqual([]);
    expect((await call('GET', '/ocpi/cpo/2.2/locations/pending', { token: solariusToken })).body.data).toEqual([{ pending_locations: 0, pending_evses: 2 }]);
  });

  it('an EVSE stops being pending when its charger boots; with none left the answer is NO_PENDING_LOCATIONS_AND_EVSES', async () => {
    const cp = new SimulatedChargePoint({ url: t.ocppUrl, identity: 'SOL-CP-1', meterValueIntervalSec: 0 });
    chargers.push(cp);
    await cp.connect();
    expect((await cp.boot()).status).toBe('Accepted');
    await eventually(async () => (await chargePointService.get(t.db, 'SOL-CP-1'))?.lastBootAt);
    expect((await call('GET', '/ocpi/cpo/2.2/locations/pending', { token: solariusToken })).body.data).toEqual([{ pending_locations: 0, pending_evses: 1 }]);

    const boot = { vendor: 'V', model: 'M', chargePointSerialNumber: null, chargeBoxSerialNumber: null, firmwareVersion: null, iccid: null, imsi: null, meterType: null, meterSerialNumber: null };
    await chargePointService.recordBoots(t.db, [{ id: 'SOL-CP-2', boot, at: new Date() }]);
    const res = await call('GET', '/ocpi/cpo/2.2/locations/pending', { token: solariusToken });
    expect(res.body).toEqual({ status: 200, data: 'NO_PENDING_LOCATIONS_AND_EVSES', message: 'Success' });
  });

  it('needs a CPO bearer token', async () => {
    expect((await call('GET', '/ocpi/cpo/2.2/locations/pending')).status).toBe(401);
    expect((await call('GET', '/ocpi/cpo/2.2/locations/pending', { authorization: client })).status).toBe(401);
    expect((await call('GET', '/ocpi/cpo/2.2/locations/pending', { token: adminToken })).status).toBe(403);
  });
});

describe('OpenAPI document', () => {
  it('describes the multipart forms of these routes', async () => {
    // A registry of these routes alone, so the check does not depend on the rest of the document.
    const registry = createOpenApiRegistry();
    const pass = async (_ctx: unknown, next: () => Promise<void>) => next();
    const deps = { db: t.db, config: t.config, registry, log: pino({ level: 'silent' }), requireUser: () => pass, requireApiClient: pass } as unknown as OcpiDeps;
    const store = createUploadStore({ dir: uploadDir, maxBytes: 1024, log: deps.log });
    accountRoutes(deps, store);
    photoRoutes(deps, store);
    filterRoutes(deps);
    pendingRoutes(deps);
    uploadsRoutes(deps, store);
    const doc = buildOpenApiDocument(registry) as any;
    const logo = doc.paths['/ocpi/cpo/2.2/cpo/upload'].post.requestBody.content['multipart/form-data'].schema;
    expect(logo.properties.cpo_logo).toMatchObject({ type: 'string', format: 'binary' });
    const photos = doc.paths['/ocpi/cpo/api/v1/locations/photos/uploads'].post.requestBody.content['multipart/form-data'].schema;
    expect(Object.keys(photos.properties).sort()).toEqual(['location_id', 'location_photos']);
    expect(doc.paths['/ocpi/cpo/api/v1/locations/photos/uploads/{photo_id}'].patch.requestBody.content['multipart/form-data']).toBeDefined();
    expect(doc.paths['/ocpi/cpo/2.2/register'].post.requestBody.content['application/json']).toBeDefined();
    expect(doc.paths['/api/v1/locations/{id}/approve'].post).toBeDefined();
    expect(doc.paths['/uploads/{file}'].get).toBeDefined();
  });
});
