import type { Database } from '../db/database.ts';
import { AppError } from '../errors.ts';
import * as locationRepository from '../locations/location.repository.ts';
import type { IncomingFile, StoredFile, UploadStore } from '../uploads/upload-store.ts';
import * as photoRepository from './location-photo.repository.ts';

export type LocationPhoto = photoRepository.LocationPhotoRow;

/**
 * Photos of a CPO's locations.
 *
 * - A CPO sees and changes only photos of its own locations; any other location or photo is "not
 *   found" (404), so ids of other operators' sites are not confirmed.
 * - At most MAX_PHOTOS_PER_REQUEST files per upload (the spec's five) and MAX_PHOTOS_PER_LOCATION per
 *   location (409 beyond; replace or delete one first).
 * - Images only (PNG, JPEG, WebP, GIF by their bytes), each at most the store's maxBytes.
 * - All or nothing: every file is checked before any is stored, and when the rows cannot be written the
 *   stored files are removed again, so a refused request keeps neither files nor rows.
 * - Replacing or deleting a photo removes the old file only after the commit.
 */
export const MAX_PHOTOS_PER_REQUEST = 5;
export const MAX_PHOTOS_PER_LOCATION = 20;

export async function addPhotos(
  db: Database,
  store: UploadStore,
  input: { cpoOwnerId: number; locationId: number; files: readonly IncomingFile[] },
): Promise<LocationPhoto[]> {
  const { cpoOwnerId, locationId, files } = input;
  if (files.length === 0) throw new AppError('VALIDATION_FAILED', 'at least one photo is required');
  if (files.length > MAX_PHOTOS_PER_REQUEST) {
    throw new AppError('VALIDATION_FAILED', `at most ${MAX_PHOTOS_PER_REQUEST} photos may be uploaded at once`);
  }
  // Ownership before the files: another CPO's location is 404 whatever was sent.
  await ownLocation(db, cpoOwnerId, locationId);
  checkRoom(await photoRepository.countForLocation(db, locationId), files.length, locationId);

  const stored = await store.save('photo', files);
  try {
    return await db.transaction().execute(async (tx) => {
      // Locked, so two uploads to one location cannot both pass the count.
      if (!(await locationRepository.lockLocationOfOwner(tx, locationId, cpoOwnerId))) throw notFound('location', locationId);
      checkRoom(await photoRepository.countForLocation(tx, locationId), stored.length, locationId);
      const now = new Date();
      return photoRepository.insertMany(
        tx,
        stored.map((s) => ({ locationId, ...fileColumns(s), dateCreated: now, dateModified: now })),
      );
    });
  } catch (err) {
    await store.remove(stored.map((s) => s.fileName));
    throw err;
  }
}

/** Replaces the file of one photo (same id); the old file is deleted after the commit. */
export async function replacePhoto(
  db: Database,
  store: UploadStore,
  input: { cpoOwnerId: number; photoId: number; file: IncomingFile },
): Promise<LocationPhoto> {
  const { cpoOwnerId, photoId } = input;
  if (!(await photoRepository.findOfOwner(db, photoId, cpoOwnerId))) throw notFound('photo', photoId);
  const [stored] = await store.save('photo', [input.file]);
  let result: { photo: LocationPhoto; previous: string };
  try {
    result = await db.transaction().execute(async (tx) => {
      const current = await photoRepository.findOfOwner(tx, photoId, cpoOwnerId, true);
      if (!current) throw notFound('photo', photoId);
      const photo = await photoRepository.replaceFile(tx, photoId, fileColumns(stored!), new Date());
      return { photo: photo!, previous: current.fileName };
    });
  } catch (err) {
    await store.remove([stored!.fileName]);
    throw err;
  }
  await store.remove([result.previous]);
  return result.photo;
}

/** Deletes a photo; its file goes after the commit. */
export async function deletePhoto(db: Database, store: UploadStore, input: { cpoOwnerId: number; photoId: number }): Promise<void> {
  const fileName = await db.transaction().execute(async (tx) => {
    const current = await photoRepository.findOfOwner(tx, input.photoId, input.cpoOwnerId, true);
    if (!current) throw notFound('photo', input.photoId);
    await photoRepository.deleteById(tx, input.photoId);
    return current.fileName;
  });
  await store.remove([fileName]);
}

/** The photos of one of the CPO's locations, oldest first. */
export async function listPhotos(db: Database, input: { cpoOwnerId: number; locationId: number }): Promise<LocationPhoto[]> {
  await ownLocation(db, input.cpoOwnerId, input.locationId);
  return photoRepository.listForLocation(db, input.locationId);
}

async function ownLocation(db: Database, cpoOwnerId: number, locationId: number): Promise<void> {
  const location = await locationRepository.findLocation(db, locationId);
  if (!location || location.cpoOwnerId !== cpoOwnerId) throw notFound('location', locationId);
}

function checkRoom(existing: number, adding: number, locationId: number): void {
  if (existing + adding > MAX_PHOTOS_PER_LOCATION) {
    throw new AppError(
      'CONFLICT',
      `location ${locationId} has ${existing} photo(s); at most ${MAX_PHOTOS_PER_LOCATION} are kept per location (replace or delete one)`,
      { existing, adding, max: MAX_PHOTOS_PER_LOCATION },
    );
  }
}

const fileColumns = (s: StoredFile) => ({ fileName: s.fileName, contentType: s.contentType, sizeBytes: s.sizeBytes });

const notFound = (what: string, id: number) => new AppError('NOT_FOUND', `${what} ${id} not found`);
