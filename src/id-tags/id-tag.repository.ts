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

export interface IdTagFilter {
  status?: IdTagRow['status'] | undefined;
  limit: number;
  offset: number;
}

export function list(db: Db, f: IdTagFilter): Promise<IdTagRow[]> {
  let query = db.selectFrom('idTag').selectAll();
  if (f.status) query = query.where('status', '=', f.status);
  return query.orderBy('idTag').limit(f.limit).offset(f.offset).execute();
}

export function setStatus(db: Db, idTag: string, status: IdTagRow['status']): Promise<IdTagRow | undefined> {
  return db.updateTable('idTag').set({ status, updatedAt: new Date() }).where('idTag', '=', idTag).returningAll().executeTakeFirst();
}

export function insert(db: Db, tag: { idTag: string; status: IdTagRow['status']; expiryDate: Date | null; parentIdTag: string | null }) {
  return db.insertInto('idTag').values(tag).returningAll().executeTakeFirstOrThrow();
}
