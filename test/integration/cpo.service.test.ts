import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as chargePointService from '../../src/charge-points/charge-point.service.ts';
import * as cpoService from '../../src/cpo/cpo.service.ts';
import * as photoService from '../../src/cpo/location-photo.service.ts';
import * as pendingService from '../../src/cpo/pending.service.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { rejectionOf } from '../fixtures/app-error.ts';
import * as locationRepository from '../../src/locations/location.repository.ts';
import { createMailer } from '../../src/mail/mailer.ts';
import * as referenceService from '../../src/reference/reference.service.ts';
import { createUploadStore, detectImageType, type UploadStore } from '../../src/uploads/upload-store.ts';
import * as userService from '../../src/users/user.service.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

const IMAGES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/images');
const image = (name: string) => ({ path: path.join(IMAGES, name), originalName: name });

let handle: DatabaseHandle;
let uploadDir: string;
let store: UploadStore;
let deps: cpoService.CpoServiceDeps;

beforeAll(async () => {
  handle = await createTestDatabase();
  uploadDir = await mkdtemp(path.join(tmpdir(), 'cpo-service-uploads-'));
  const log = pino({ level: 'silent' });
  store = createUploadStore({ dir: uploadDir, maxBytes: 4096, log });
  deps = { mailer: createMailer({ smtpUrl: undefined, from: 'test@localhost', log }), store, log };
});
afterAll(async () => {
  await handle.close();
  await rm(uploadDir, { recursive: true, force: true });
});

let seq = 0;
function registration(overrides: Partial<cpoService.Registration> = {}): cpoService.Registration {
  seq += 1;
  return {
    username: `cpo-user-${seq}`,
    cpoOwnerName: 'Solarius',
    contactName: 'Solarius CEO',
    contactNumber: '09123456782',
    contactEmail: `ceo${seq}@solarius.example`,
    ocppReady: true,
    ...overrides,
  };
}

const count = async (table: 'cpoOwner' | 'appUser' | 'mailOutbox' | 'locationPhoto') =>
  Number((await handle.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

const storedFiles = async () => (await readdir(uploadDir).catch(() => [])).sort();

describe('register', () => {
  it('creates the owner, a CPO_OWNER user with a one-time password, token C (hashed) and the mail, at once', async () => {
    const input = registration({ username: 'solarius' });
    const result = await cpoService.register(handle.db, deps, input);

    expect(result.cpoOwner).toMatchObject({
      name: 'Solarius',
      countryCode: 'PH',
      partyId: 'SOL',
      contactName: 'Solarius CEO',
      contactNumber: '09123456782',
      contactEmail: input.contactEmail,
      ocppReady: true,
      logo: null,
    });
    expect(result.tokenC).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
    expect(result.cpoOwner.tokenCHash).toBe(createHash('sha256').update(result.tokenC).digest('hex'));
    expect(result.user).toMatchObject({ username: 'solarius', role: 'CPO_OWNER', cpoOwnerId: result.cpoOwner.id, mustChangePassword: true });

    const authenticated = await userService.authenticate(handle.db, 'solarius', result.oneTimePassword);
    expect(authenticated.id).toBe(result.user.id);

    const mail = await handle.db.selectFrom('mailOutbox').selectAll().where('id', '=', result.mailId).executeTakeFirstOrThrow();
    expect(mail.recipient).toBe(input.contactEmail);
    expect(mail.body).toContain(result.oneTimePassword);
    expect(mail.body).toContain(result.tokenC);
    expect(mail.body).toContain('/ocpi/cpo/api/v1/webhook/locations/PH/SOL');
  });

  it('derives the next free party id from the name, and takes a given one (upper-cased) or refuses it when taken', async () => {
    const second = await cpoService.register(handle.db, deps, registration({ cpoOwnerName: 'Solarius Energy' }));
    expect(second.cpoOwner.partyId).toBe('SO2');
    const accents = await cpoService.register(handle.db, deps, registration({ cpoOwnerName: 'Énergie Verte' }));
    expect(accents.cpoOwner.partyId).toBe('ENE');
    const short = await cpoService.register(handle.db, deps, registration({ cpoOwnerName: 'EV' }));
    expect(short.cpoOwner.partyId).toBe('EVX');
    const given = await cpoService.register(handle.db, deps, registration({ partyId: 'abc', countryCode: 'sg' }));
    expect(given.cpoOwner).toMatchObject({ partyId: 'ABC', countryCode: 'SG' });
    // Same party id in another country is another party.
    const otherCountry = await cpoService.register(handle.db, deps, registration({ partyId: 'SOL', countryCode: 'MY' }));
    expect(otherCountry.cpoOwner.partyId).toBe('SOL');

    const before = { owners: await count('cpoOwner'), users: await count('appUser'), mails: await count('mailOutbox') };
    const err = await rejectionOf(cpoService.register(handle.db, deps, registration({ partyId: 'SOL' })));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe('party PH/SOL is already registered');
    expect({ owners: await count('cpoOwner'), users: await count('appUser'), mails: await count('mailOutbox') }).toEqual(before);
  });

  it('lists party id candidates best first', () => {
    const candidates = cpoService.partyIdCandidates('Solarius');
    expect(candidates.slice(0, 10)).toEqual(['SOL', 'SO2', 'SO3', 'SO4', 'SO5', 'SO6', 'SO7', 'SO8', 'SO9', 'S10']);
    expect(candidates).toContain('S99');
    expect(new Set(candidates).size).toBe(candidates.length);
    expect(candidates.every((c) => /^[A-Z0-9]{3}$/.test(c))).toBe(true);
    expect(cpoService.partyIdCandidates('!!')[0]).toBe('XXX');
  });

  it('refuses a taken username (any case) with CONFLICT and writes nothing', async () => {
    const before = { owners: await count('cpoOwner'), users: await count('appUser'), mails: await count('mailOutbox') };
    const err = await rejectionOf(cpoService.register(handle.db, deps, registration({ username: 'SOLARIUS', cpoOwnerName: 'Someone Else' })));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe('username SOLARIUS is already taken');
    expect({ owners: await count('cpoOwner'), users: await count('appUser'), mails: await count('mailOutbox') }).toEqual(before);
  });

  it('validates phone numbers: 7 to 15 digits, with + ( ) - . and spaces allowed', async () => {
    for (const ok of ['09123456782', '+63 912 345 6782', '(02) 8123-4567', '1234567']) expect(cpoService.isPhoneNumber(ok)).toBe(true);
    for (const bad of ['123456', '1234567890123456', '0912-abc-4567', '', '++639123456782', '-']) expect(cpoService.isPhoneNumber(bad)).toBe(false);
    const err = await rejectionOf(cpoService.register(handle.db, deps, registration({ contactNumber: '12345' })));
    expect(err.code).toBe('VALIDATION_FAILED');
  });
});

describe('upload store', () => {
  it('recognises PNG, JPEG, WebP and GIF by their first bytes, and nothing else', () => {
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]);
    expect(detectImageType(webp)?.contentType).toBe('image/webp');
    expect(detectImageType(Buffer.from('GIF87a......'))?.contentType).toBe('image/gif');
    expect(detectImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))?.extension).toBe('jpg');
    expect(detectImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg">'))).toBeUndefined();
    expect(detectImageType(Buffer.from('<?xml version="1.0"?><svg>'))).toBeUndefined();
    expect(detectImageType(Buffer.alloc(0))).toBeUndefined();
  });

  it('stores all files or none, under generated names', async () => {
    const before = await storedFiles();
    const err = await rejectionOf(store.save('photo', [image('pixel.png'), image('fake.png')]));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.message).toBe('file "fake.png" is not a PNG, JPEG, WebP or GIF image');
    expect(await storedFiles()).toEqual(before);

    const saved = await store.save('photo', [image('pixel.png'), image('pixel.jpg'), image('pixel.gif')]);
    expect(saved.map((s) => s.contentType)).toEqual(['image/png', 'image/jpeg', 'image/gif']);
    for (const s of saved) expect(s.fileName).toMatch(/^photo-[0-9a-f]{32}\.(png|jpg|gif)$/);
    expect(await readFile(path.join(uploadDir, saved[0]!.fileName))).toEqual(await readFile(path.join(IMAGES, 'pixel.png')));
    await store.remove(saved.map((s) => s.fileName));
    expect(await storedFiles()).toEqual(before);
  });

  it('refuses a file over maxBytes and an empty file', async () => {
    const big = path.join(uploadDir, '..', `big-${process.pid}.png`);
    const empty = path.join(uploadDir, '..', `empty-${process.pid}.png`);
    await writeFile(big, Buffer.concat([await readFile(path.join(IMAGES, 'pixel.png')), Buffer.alloc(5000)]));
    await writeFile(empty, '');
    try {
      const tooBig = await rejectionOf(store.save('photo', [{ path: big, originalName: 'big.png' }]));
      expect(tooBig.message).toBe('file "big.png" is larger than 4096 bytes');
      const none = await rejectionOf(store.save('photo', [{ path: empty, originalName: '' }]));
      expect(none.message).toBe('the file is empty');
    } finally {
      await rm(big, { force: true });
      await rm(empty, { force: true });
    }
  });

  it('opens only names it generated', async () => {
    for (const name of ['../etc/passwd', '..', '.', 'photo-0.png', `.photo-${'a'.repeat(32)}.png.part`, `photo-${'A'.repeat(32)}.png`]) {
      expect(await store.open(name)).toBeUndefined();
    }
    expect(await store.open(`photo-${'a'.repeat(32)}.png`)).toBeUndefined(); // well-formed, absent
  });
});

describe('logo', () => {
  it('attaches an uploaded logo at registration and replaces it later, deleting the old file', async () => {
    const first = await cpoService.storeLogo(store, image('pixel.png'));
    expect(first.fileName).toMatch(/^logo-[0-9a-f]{32}\.png$/);
    const { cpoOwner } = await cpoService.register(handle.db, deps, registration({ logo: `/uploads/${first.fileName}` }));
    expect(cpoOwner.logo).toBe(first.fileName);

    const second = await cpoService.storeLogo(store, image('pixel.jpg'));
    const updated = await cpoService.setLogo(handle.db, deps, cpoOwner.id, `http://cdn.example/uploads/${second.fileName}?v=1`);
    expect(updated.logo).toBe(second.fileName);
    expect(await store.exists(first.fileName, 'logo')).toBe(false);
    expect(await store.exists(second.fileName, 'logo')).toBe(true);

    // Setting the same logo again keeps the file.
    await cpoService.setLogo(handle.db, deps, cpoOwner.id, second.fileName);
    expect(await store.exists(second.fileName, 'logo')).toBe(true);

    // Another CPO cannot take it.
    const other = await cpoService.register(handle.db, deps, registration());
    expect((await rejectionOf(cpoService.setLogo(handle.db, deps, other.cpoOwner.id, second.fileName))).code).toBe('CONFLICT');
  });

  it('refuses names that are not stored logos: the spec example, a photo, a missing file', async () => {
    const { cpoOwner } = await cpoService.register(handle.db, deps, registration());
    const [photo] = await store.save('photo', [image('pixel.png')]);
    for (const ref of ['cpo-logo.png', photo!.fileName, `logo-${'b'.repeat(32)}.png`, '../logo.png']) {
      const err = await rejectionOf(cpoService.setLogo(handle.db, deps, cpoOwner.id, ref));
      expect(err.code).toBe('VALIDATION_FAILED');
    }
    const before = await count('cpoOwner');
    expect((await rejectionOf(cpoService.register(handle.db, deps, registration({ logo: 'cpo-logo.png' })))).code).toBe('VALIDATION_FAILED');
    expect(await count('cpoOwner')).toBe(before);
    await store.remove([photo!.fileName]);
  });
});

describe('photos', () => {
  let ownerId: number;
  let otherOwnerId: number;
  let locationId: number;

  beforeAll(async () => {
    ownerId = (await cpoService.register(handle.db, deps, registration({ cpoOwnerName: 'Photo Co' }))).cpoOwner.id;
    otherOwnerId = (await cpoService.register(handle.db, deps, registration({ cpoOwnerName: 'Other Co' }))).cpoOwner.id;
    locationId = (
      await locationRepository.insertLocation(handle.db, {
        cpoOwnerId: ownerId, name: 'Photo Plaza', address: '1 Road', addressLat: '14.5', addressLng: '121.0', countryCode: 'PH',
      })
    ).id;
  });

  it('adds photos of an own location; another CPO gets NOT_FOUND and nothing is stored', async () => {
    const photos = await photoService.addPhotos(handle.db, store, { cpoOwnerId: ownerId, locationId, files: [image('pixel.png'), image('pixel.jpg')] });
    expect(photos).toHaveLength(2);
    expect(photos[0]).toMatchObject({ locationId, contentType: 'image/png', sizeBytes: 75 });

    const files = await storedFiles();
    const rows = await count('locationPhoto');
    const err = await rejectionOf(photoService.addPhotos(handle.db, store, { cpoOwnerId: otherOwnerId, locationId, files: [image('pixel.png')] }));
    expect(err.code).toBe('NOT_FOUND');
    expect(await storedFiles()).toEqual(files);
    expect(await count('locationPhoto')).toBe(rows);
  });

  it(`keeps at most ${photoService.MAX_PHOTOS_PER_LOCATION} per location; over it nothing of the request is kept`, async () => {
    const existing = (await photoService.listPhotos(handle.db, { cpoOwnerId: ownerId, locationId })).length;
    const five = Array.from({ length: 5 }, () => image('pixel.gif'));
    for (let have = existing; have + 5 <= photoService.MAX_PHOTOS_PER_LOCATION; have += 5) {
      await photoService.addPhotos(handle.db, store, { cpoOwnerId: ownerId, locationId, files: five });
    }
    const have = (await photoService.listPhotos(handle.db, { cpoOwnerId: ownerId, locationId })).length;
    const files = await storedFiles();
    const err = await rejectionOf(
      photoService.addPhotos(handle.db, store, { cpoOwnerId: ownerId, locationId, files: Array.from({ length: photoService.MAX_PHOTOS_PER_LOCATION - have + 1 }, () => image('pixel.png')) }),
    );
    expect(err.code).toBe('CONFLICT');
    expect(await storedFiles()).toEqual(files);
    expect((await photoService.listPhotos(handle.db, { cpoOwnerId: ownerId, locationId })).length).toBe(have);
  });

  it('replaces a photo file (same id), deleting the old file after the commit; deletes a photo with its file', async () => {
    const [photo] = await photoService.listPhotos(handle.db, { cpoOwnerId: ownerId, locationId });
    const replaced = await photoService.replacePhoto(handle.db, store, { cpoOwnerId: ownerId, photoId: photo!.id, file: image('pixel.jpg') });
    expect(replaced.id).toBe(photo!.id);
    expect(replaced.fileName).not.toBe(photo!.fileName);
    expect(replaced.contentType).toBe('image/jpeg');
    expect(await store.exists(photo!.fileName, 'photo')).toBe(false);
    expect(await store.exists(replaced.fileName, 'photo')).toBe(true);

    const files = await storedFiles();
    expect((await rejectionOf(photoService.replacePhoto(handle.db, store, { cpoOwnerId: otherOwnerId, photoId: photo!.id, file: image('pixel.png') }))).code).toBe('NOT_FOUND');
    expect((await rejectionOf(photoService.replacePhoto(handle.db, store, { cpoOwnerId: ownerId, photoId: photo!.id, file: image('fake.png') }))).code).toBe('VALIDATION_FAILED');
    expect(await storedFiles()).toEqual(files);

    await photoService.deletePhoto(handle.db, store, { cpoOwnerId: ownerId, photoId: photo!.id });
    expect(await store.exists(replaced.fileName, 'photo')).toBe(false);
    expect((await rejectionOf(photoService.deletePhoto(handle.db, store, { cpoOwnerId: ownerId, photoId: photo!.id }))).code).toBe('NOT_FOUND');
  });
});

describe('pending and approval', () => {
  it('counts unpublished locations and EVSEs whose charger never booted; approval and a boot clear them', async () => {
    const { cpoOwner } = await cpoService.register(handle.db, deps, registration({ cpoOwnerName: 'Pending Co' }));
    expect(await pendingService.countsFor(handle.db, cpoOwner.id)).toEqual({ pendingLocations: 0, pendingEvses: 0 });

    const location = await locationRepository.insertLocation(handle.db, {
      cpoOwnerId: cpoOwner.id, name: 'Pending Plaza', address: '2 Road', addressLat: '15.0', addressLng: '120.0', countryCode: 'PH',
    });
    for (const uid of ['PENDING-1', 'PENDING-2']) await locationRepository.insertEvse(handle.db, { uid, locationId: location.id });
    await chargePointService.register(handle.db, { id: 'PENDING-1', password: null });
    expect(await pendingService.countsFor(handle.db, cpoOwner.id)).toEqual({ pendingLocations: 1, pendingEvses: 2 });

    const queue = await pendingService.listPendingLocations(handle.db, { cpoOwnerId: cpoOwner.id, limit: 10, offset: 0 });
    expect(queue).toEqual([expect.objectContaining({ id: location.id, cpoOwnerName: 'Pending Co', evseCount: 2 })]);
    const evses = await pendingService.listPendingEvses(handle.db, { cpoOwnerId: cpoOwner.id, limit: 10, offset: 0 });
    expect(evses.map((e) => [e.uid, Boolean(e.registered)])).toEqual([['PENDING-1', true], ['PENDING-2', false]]);

    expect((await pendingService.approveLocation(handle.db, location.id)).publish).toBe(true);
    expect((await pendingService.approveLocation(handle.db, location.id)).publish).toBe(true); // idempotent
    expect((await rejectionOf(pendingService.approveLocation(handle.db, 987654))).code).toBe('NOT_FOUND');

    const boot = { vendor: 'V', model: 'M', chargePointSerialNumber: null, chargeBoxSerialNumber: null, firmwareVersion: null, iccid: null, imsi: null, meterType: null, meterSerialNumber: null };
    await chargePointService.recordBoots(handle.db, [{ id: 'PENDING-1', boot, at: new Date() }]);
    expect(await pendingService.countsFor(handle.db, cpoOwner.id)).toEqual({ pendingLocations: 0, pendingEvses: 1 });
    await chargePointService.register(handle.db, { id: 'PENDING-2', password: null });
    await chargePointService.recordBoots(handle.db, [{ id: 'PENDING-2', boot, at: new Date() }]);
    expect(await pendingService.countsFor(handle.db, cpoOwner.id)).toEqual({ pendingLocations: 0, pendingEvses: 0 });
  });
});

describe('reference lists', () => {
  it('lists every filter, ordered by id', async () => {
    const filters = await referenceService.filters(handle.db);
    expect(filters.connectorTypes.slice(0, 4)).toEqual([
      { id: 1, code: 'TYPE_1', description: 'Type 1' },
      { id: 2, code: 'TYPE_2', description: 'Type 2' },
      { id: 3, code: 'CHADEMO', description: 'CHADEMO' },
      { id: 4, code: 'GBT', description: 'GBT' },
    ]);
    expect(filters.facilities.map((f) => f.code)).toContain('BANKS/ATM');
    expect(filters.paymentTypes.map((f) => f.code)).toEqual(['GCASH', 'MAYA']);
    expect(filters.parkingRestrictions).toHaveLength(5);
  });

  it('lists distinct cities of published locations in a province, case-insensitively, sorted', async () => {
    const { cpoOwner } = await cpoService.register(handle.db, deps, registration({ cpoOwnerName: 'City Co' }));
    const at = (city: string | null, province: string, publish = true) =>
      locationRepository.insertLocation(handle.db, {
        cpoOwnerId: cpoOwner.id, name: `${city}`, address: 'x', addressLat: '14.8', addressLng: '120.3', countryCode: 'PH', city, province, publish,
      });
    await at('Olongapo', 'Zambales');
    await at('olongapo ', 'ZAMBALES');
    await at('Iba', 'zambales');
    await at('Subic', 'Zambales', false); // pending: not on the map
    await at(null, 'Zambales');
    await at('Angeles', 'Pampanga');
    expect(await referenceService.citiesOfProvince(handle.db, ' zambales ')).toEqual(['Iba', 'Olongapo']);
    expect(await referenceService.citiesOfProvince(handle.db, 'Nowhere')).toEqual([]);
  });
});
