import type { Db } from '../db/database.ts';
import type { IdTagRow } from '../db/schema.ts';

export function findById(db: Db, idTag: string): Promise<IdTagRow | undefined> {
  return db.selectFrom('idTag').selectAll().where('idTag', '=', idTag).executeTakeFirst();
}

export interface NewIdTag {
  idTag: string;
  status?: IdTagRow['status'];
  expiryDate?: Date | null;
  parentIdTag?: string | null;
}

export async function upsert(db: Db, tag: NewIdTag): Promise<IdTagRow> {
  const values = {
    idTag: tag.idTag,
    status: tag.status ?? 'Accepted',
    expiryDate: tag.expiryDate ?? null,
    parentIdTag: tag.parentIdTag ?? null,
  } as const;
  return db
    .insertInto('idTag')
    .values(values)
    .onConflict((oc) => oc.column('idTag').doUpdateSet({ ...values, updatedAt: new Date() }))
    .returningAll()
    .executeTakeFirstOrThrow();
}
