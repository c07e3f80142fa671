import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { LocationPhotoTable } from '../db/schema.ts';

export type LocationPhotoRow = Selectable<LocationPhotoTable>;

export function insertMany(db: Db, rows: Insertable<LocationPhotoTable>[]): Promise<LocationPhotoRow[]> {
  if (rows.length === 0) return Promise.resolve([]);
  return db.insertInto('locationPhoto').values(rows).returningAll().execute();
}

export async function countForLocation(db: Db, locationId: number): Promise<number> {
  const row = await db
    .selectFrom('locationPhoto')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('locationId', '=', locationId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The photo if its location belongs to `cpoOwnerId`; with `lock`, locked until the transaction ends. */
export function findOfOwner(db: Db, photoId: number, cpoOwnerId: number, lock = false): Promise<LocationPhotoRow | undefined> {
  return db
    .selectFrom('locationPhoto')
    .innerJoin('location', 'location.id', 'locationPhoto.locationId')
    .selectAll('locationPhoto')
    .where('locationPhoto.id', '=', photoId)
    .where('location.cpoOwnerId', '=', cpoOwnerId)
    .$if(lock, (qb) => qb.forUpdate())
    .executeTakeFirst();
}

export function replaceFile(
  db: Db,
  id: number,
  file: { fileName: string; contentType: string; sizeBytes: number },
  at: Date,
): Promise<LocationPhotoRow | undefined> {
  return db
    .updateTable('locationPhoto')
    .set({ ...file, dateModified: at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteById(db: Db, id: number): Promise<void> {
  await db.deleteFrom('locationPhoto').where('id', '=', id).execute();
}

export function listForLocation(db: Db, locationId: number): Promise<LocationPhotoRow[]> {
  return db.selectFrom('locationPhoto').selectAll().where('locationId', '=', locationId).orderBy('id').execute();
}
