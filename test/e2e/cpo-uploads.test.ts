import http from 'node:http';
import { mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as apiClientService from '../../src/api-clients/api-client.service.ts';
import * as locationRepository from '../../src/locations/location.repository.ts';
import * as userService from '../../src/users/user.service.ts';
import { basicAuth, call as callApp, image, loginCpoUser, type CallOptions, type FilePart } from '../fixtures/cpo-client.ts';
import { startTestApp, type TestApp } from '../fixtures/test-app.ts';

const MAX_BYTES = 2048;

let t: TestApp;
let uploadDir: string;
let client: string;
let token: string;
let otherToken: string;
let adminToken: string;
let locationId: number;
let otherLocationId: number;

const call = (method: string, urlPath: string, options?: CallOptions) => callApp(t, method, urlPath, options);

const png = (name = 'photo.png'): FilePart => ({ field: 'location_photos', name, bytes: image('pixel.png'), type: 'image/png' });
const jpg = (name = 'photo.jpg'): FilePart => ({ field: 'location_photos', name, bytes: image('pixel.jpg'), type: 'image/jpeg' });
/** A text file named and typed as a PNG. */
const fake = (field = 'location_photos'): FilePart => ({ field, name: 'fake.png', bytes: image('fake.png'), type: 'image/png' });
const svg = (field = 'location_photos'): FilePart => ({ field, name: 'logo.svg', bytes: image('logo.svg'), type: 'image/svg+xml' });
/** A real PNG start, padded past UPLOAD_MAX_BYTES. */
const huge = (field = 'location_photos'): FilePart => ({ field, name: 'huge.png', bytes: Buffer.concat([image('pixel.png'), Buffer.alloc(MAX_BYTES * 2)]), type: 'image/png' });

const uploadPhotos = (files: FilePart[], location: number | string = locationId, as = token) =>
  call('POST', '/ocpi/cpo/api/v1/locations/photos/uploads', { token: as, form: { fields: { location_id: String(location) }, files } });

/** What the upload directory and the photo table hold: a refused request must change neither. */
async function stored() {
  const files = (await readdir(uploadDir)).filter((f) => !f.startsWith('.')).sort();
  const rows = await t.db.selectFrom('locationPhoto').select(['id', 'fileName']).orderBy('id').execute();
  return { files, rows };
}

async function cpoWithLocation(name: string, partyId: string) {
  const owner = await locationRepository.insertCpoOwner(t.db, { name, countryCode: 'PH', partyId });
  const username = `${partyId.toLowerCase()}-owner`;
  const password = `${partyId}-password-123`;
  await userService.createUser(t.db, { username, password, role: 'CPO_OWNER', cpoOwnerId: owner.id, mustChangePassword: false });
  const location = await locationRepository.insertLocation(t.db, {
    cpoOwnerId: owner.id, name: `${name} Hub`, address: 'National Rd', addressLat: '14.2', addressLng: '121.1', countryCode: 'PH',
  });
  return { token: await loginCpoUser(t, client, username, password), locationId: location.id };
}

beforeAll(async () => {
  uploadDir = await mkdtemp(path.join(tmpdir(), 'cpo-uploads-'));
  t = await startTestApp({ env: { UPLOAD_DIR: uploadDir, UPLOAD_MAX_BYTES: String(MAX_BYTES) } });
  const issued = await apiClientService.issue(t.db, { name: 'Uploads app' });
  client = basicAuth(issued.client.clientId, issued.secret);
  ({ token, locationId } = await cpoWithLocation('Photo Power', 'PHP'));
  ({ token: otherToken, locationId: otherLocationId } = await cpoWithLocation('Rival Charge', 'RVL'));
  await userService.createUser(t.db, { username: 'uploads-admin', password: 'uploads-admin-password', role: 'ADMIN' });
  adminToken = await loginCpoUser(t, client, 'uploads-admin', 'uploads-admin-password');
});

afterAll(async () => {
  await t.close();
  await rm(uploadDir, { recursive: true, force: true });
});

describe('POST /ocpi/cpo/api/v1/locations/photos/uploads', () => {
  it('stores the photos of an own location and answers as the spec shows', async () => {
    const res = await uploadPhotos([png(), jpg()]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 200, data: [], message: 'Success' });

    const { files, rows } = await stored();
    expect(rows).toHaveLength(2);
    expect(files).toEqual(rows.map((r) => r.fileName).sort());
    for (const f of files) expect(f).toMatch(/^photo-[0-9a-f]{32}\.(png|jpg)$/);

    const list = await call('GET', `/ocpi/cpo/api/v1/locations/${locationId}/photos`, { token });
    expect(list.body.data).toEqual([
      expect.objectContaining({ location_id: locationId, content_type: 'image/png', size_bytes: image('pixel.png').length, url: expect.stringMatching(/^\/uploads\/photo-[0-9a-f]{32}\.png$/) }),
      expect.objectContaining({ content_type: 'image/jpeg', url: expect.stringMatching(/\.jpg$/) }),
    ]);
  });

  it('serves a stored photo with its bytes, content type and cache headers', async () => {
    const [photo] = (await call('GET', `/ocpi/cpo/api/v1/locations/${locationId}/photos`, { token })).body.data;
    const res = await fetch(`${t.httpUrl}${photo.url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-length')).toBe(String(image('pixel.png').length));
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(image('pixel.png'));

    // node:http rather than fetch, which adds Cache-Control: no-cache to conditional requests.
    const revalidated = await new Promise<number>((resolve, reject) => {
      http.get(`${t.httpUrl}${photo.url}`, { headers: { 'if-none-match': res.headers.get('etag')! } }, (r) => {
        r.resume();
        resolve(r.statusCode!);
      }).on('error', reject);
    });
    expect(revalidated).toBe(304);
    const head = await fetch(`${t.httpUrl}${photo.url}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('image/png');
  });

  it('refuses a text file renamed .png with 400 and keeps nothing, even beside a valid photo', async () => {
    const before = await stored();
    for (const files of [[fake()], [png(), fake()], [fake(), png()]]) {
      const res = await uploadPhotos(files);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: 'file "fake.png" is not a PNG, JPEG, WebP or GIF image' });
    }
    expect(await stored()).toEqual(before);
  });

  it('refuses SVG', async () => {
    const before = await stored();
    const res = await uploadPhotos([svg()]);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('file "logo.svg" is not a PNG, JPEG, WebP or GIF image');
    expect(await stored()).toEqual(before);
  });

  it('refuses a file over UPLOAD_MAX_BYTES and keeps nothing', async () => {
    const before = await stored();
    const res = await uploadPhotos([png(), huge()]);
    expect([400, 413]).toContain(res.status);
    expect(res.body.message).toBe(`file huge.png is larger than ${MAX_BYTES} bytes`);
    expect(await stored()).toEqual(before);
  });

  it('refuses six photos with 400 and keeps none of them', async () => {
    const before = await stored();
    const res = await uploadPhotos([png('1.png'), png('2.png'), png('3.png'), png('4.png'), png('5.png'), png('6.png')]);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('at most 5 file(s) may be uploaded at once');
    expect(await stored()).toEqual(before);
  });

  it("answers 404 for another CPO's location or an unknown one, and keeps nothing", async () => {
    const before = await stored();
    for (const location of [otherLocationId, 987654]) {
      const res = await uploadPhotos([png()], location);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ status: 404, code: 'NOT_FOUND', message: `location ${location} not found` });
    }
    // Not even a bad file tells the other CPO's location apart.
    expect((await uploadPhotos([fake()], otherLocationId)).status).toBe(404);
    expect(await stored()).toEqual(before);
  });

  it('needs a file, a location_id, the right field name and a multipart body', async () => {
    const before = await stored();
    const noFile = await uploadPhotos([]);
    expect(noFile.body.message).toBe('form location_photos: a file is required');
    const noLocation = await call('POST', '/ocpi/cpo/api/v1/locations/photos/uploads', { token, form: { files: [png()] } });
    expect(noLocation.body.message).toBe('form location_id: is required');
    expect((await uploadPhotos([png()], 'abc')).body.message).toBe('form location_id: must be a positive integer');
    const wrongField = await uploadPhotos([{ ...png(), field: 'photos' }]);
    expect(wrongField.body.message).toBe('unexpected file field photos; expected location_photos');
    const json = await call('POST', '/ocpi/cpo/api/v1/locations/photos/uploads', { token, json: { location_id: locationId } });
    expect(json.body.message).toBe('expected a multipart/form-data body');
    for (const res of [noFile, noLocation, wrongField, json]) expect(res.status).toBe(400);
    expect(await stored()).toEqual(before);
  });

  it('needs a CPO bearer token', async () => {
    const before = await stored();
    expect((await call('POST', '/ocpi/cpo/api/v1/locations/photos/uploads', { form: { fields: { location_id: String(locationId) }, files: [png()] } })).status).toBe(401);
    expect((await call('POST', '/ocpi/cpo/api/v1/locations/photos/uploads', { authorization: client, form: { fields: { location_id: String(locationId) }, files: [png()] } })).status).toBe(401);
    expect((await uploadPhotos([png()], locationId, adminToken)).status).toBe(403);
    expect(await stored()).toEqual(before);
  });

  it('keeps at most 20 photos per location (409 beyond, nothing of that request kept)', async () => {
    const have = (await call('GET', `/ocpi/cpo/api/v1/locations/${locationId}/photos`, { token })).body.data.length as number;
    let left = 20 - have;
    while (left > 0) {
      const n = Math.min(5, left);
      expect((await uploadPhotos(Array.from({ length: n }, (_, i) => png(`${i}.png`)))).status).toBe(200);
      left -= n;
    }
    const before = await stored();
    const res = await uploadPhotos([png()]);
    expect(res.status).toBe(409);
    expect(res.body.message).toBe(`location ${locationId} has 20 photo(s); at most 20 are kept per location (replace or delete one)`);
    expect(await stored()).toEqual(before);
  });
});

describe('PATCH /ocpi/cpo/api/v1/locations/photos/uploads/:photo_id', () => {
  it('replaces the file of a photo (same id); the old file is gone', async () => {
    const [photo] = (await call('GET', `/ocpi/cpo/api/v1/locations/${locationId}/photos`, { token })).body.data;
    const res = await call('PATCH', `/ocpi/cpo/api/v1/locations/photos/uploads/${photo.id}`, {
      token,
      form: { files: [{ field: 'location_photo', name: 'new.gif', bytes: image('pixel.gif'), type: 'image/gif' }] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 200, data: [], message: 'Success' });

    const [replaced] = (await call('GET', `/ocpi/cpo/api/v1/locations/${locationId}/photos`, { token })).body.data;
    expect(replaced).toMatchObject({ id: photo.id, content_type: 'image/gif' });
    expect(replaced.url).not.toBe(photo.url);
    expect((await fetch(`${t.httpUrl}${photo.url}`)).status).toBe(404);
    const served = await fetch(`${t.httpUrl}${replaced.url}`);
    expect(served.headers.get('content-type')).toBe('image/gif');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(image('pixel.gif'));
    expect((await readdir(uploadDir)).includes(photo.url.split('/').pop())).toBe(false);
  });

  it("refuses a non-image (the photo keeps its file), another CPO's photo (404) and two files", async () => {
    const [photo] = (await call('GET', `/ocpi/cpo/api/v1/locations/${locationId}/photos`, { token })).body.data;
    const before = await stored();
    const bad = await call('PATCH', `/ocpi/cpo/api/v1/locations/photos/uploads/${photo.id}`, { token, form: { files: [fake('location_photo')] } });
    expect(bad.status).toBe(400);
    const other = await call('PATCH', `/ocpi/cpo/api/v1/locations/photos/uploads/${photo.id}`, {
      token: otherToken,
      form: { files: [{ field: 'location_photo', name: 'a.png', bytes: image('pixel.png') }] },
    });
    expect(other.status).toBe(404);
    expect(other.body.message).toBe(`photo ${photo.id} not found`);
    const two = await call('PATCH', `/ocpi/cpo/api/v1/locations/photos/uploads/${photo.id}`, {
      token,
      form: { files: [{ field: 'location_photo', name: 'a.png', bytes: image('pixel.png') }, { field: 'location_photo', name: 'b.png', bytes: image('pixel.png') }] },
    });
    expect(two.status).toBe(400);
    expect((await call('PATCH', '/ocpi/cpo/api/v1/locations/photos/uploads/0', { token, form: { files: [png()] } })).status).toBe(400);
    expect((await call('PATCH', `/ocpi/cpo/api/v1/locations/photos/uploads/${photo.id}`, { form: { files: [png()] } })).status).toBe(401);
    expect(await stored()).toEqual(before);
    expect((await fetch(`${t.httpUrl}${photo.url}`)).status).toBe(200);
  });

  it('DELETE removes a photo and its file', async () => {
    const [photo] = (await call('GET', `/ocpi/cpo/api/v1/locations/${locationId}/photos`, { token })).body.data;
    expect((await call('DELETE', `/ocpi/cpo/api/v1/locations/photos/uploads/${photo.id}`, { token: otherToken })).status).toBe(404);
    expect((await call('DELETE', `/ocpi/cpo/api/v1/locations/photos/uploads/${photo.id}`, { token })).body).toEqual({ status: 200, data: [], message: 'Success' });
    expect((await fetch(`${t.httpUrl}${photo.url}`)).status).toBe(404);
    expect((await call('DELETE', `/ocpi/cpo/api/v1/locations/photos/uploads/${photo.id}`, { token })).status).toBe(404);
  });
});

describe('POST /ocpi/cpo/2.2/cpo/upload (logo)', () => {
  const uploadLogo = (files: FilePart[], authorization = client) => call('POST', '/ocpi/cpo/2.2/cpo/upload', { authorization, form: { files } });

  it('refuses a text file renamed .png, an SVG, an oversized file, two files and another field; stores nothing', async () => {
    const before = await stored();
    const cases: Array<[FilePart[], string]> = [
      [[fake('cpo_logo')], 'file "fake.png" is not a PNG, JPEG, WebP or GIF image'],
      [[svg('cpo_logo')], 'file "logo.svg" is not a PNG, JPEG, WebP or GIF image'],
      [[huge('cpo_logo')], `file huge.png is larger than ${MAX_BYTES} bytes`],
      [[{ ...png(), field: 'cpo_logo' }, { ...png(), field: 'cpo_logo' }], 'at most 1 file(s) may be uploaded at once'],
      [[png()], 'unexpected file field location_photos; expected cpo_logo'],
      [[], 'form cpo_logo: a file is required'],
    ];
    for (const [files, message] of cases) {
      const res = await uploadLogo(files);
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(message);
      expect(res.headers.get('location')).toBeNull();
    }
    expect(await stored()).toEqual(before);
  });
});

describe('GET /uploads/:file', () => {
  it('serves nothing but stored files: traversal, dot files, foreign files and symlinks are 404', async () => {
    await writeFile(path.join(uploadDir, 'secret.txt'), 'not for the public');
    const outside = path.join(path.dirname(uploadDir), `outside-${process.pid}.png`);
    await writeFile(outside, image('pixel.png'));
    const linked = `photo-${'f'.repeat(32)}.png`;
    await symlink(outside, path.join(uploadDir, linked));
    try {
      for (const p of [
        '/uploads/..%2Fetc%2Fpasswd',
        '/uploads/..%2F..%2F..%2Fetc%2Fpasswd',
        '/uploads/%2e%2e%2fsecret.txt',
        '/uploads/..%5Csecret.txt',
        '/uploads/secret.txt',
        '/uploads/.',
        `/uploads/.photo-${'a'.repeat(32)}.png.part`,
        `/uploads/photo-${'a'.repeat(32)}.png`,
        `/uploads/photo-${'a'.repeat(32)}.png%00.txt`,
        `/uploads/${linked}`,
        `/uploads/..%2F${path.basename(outside)}`,
      ]) {
        const res = await fetch(`${t.httpUrl}${p}`);
        expect(res.status, p).toBe(404);
        expect(await res.text()).not.toContain('not for the public');
      }
    } finally {
      await rm(path.join(uploadDir, linked), { force: true });
      await rm(path.join(uploadDir, 'secret.txt'), { force: true });
      await rm(outside, { force: true });
    }
  });
});
