import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface LocalListEntry {
  idTag: string;
  status: string;
  expiryDate: Date | null;
  parentIdTag: string | null;
}

export async function replaceAll(db: Db, chargePointId: string, entries: readonly LocalListEntry[]): Promise<void> {
  await db.deleteFrom('localListEntry').where('chargePointId', '=', chargePointId).execute();
  await upsert(db, chargePointId, entries);
}

export async function upsert(db: Db, chargePointId: string, entries: readonly LocalListEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('localListEntry')
    .values(entries.map((e) => ({ chargePointId, ...e })))
    .onConflict((oc) =>
      oc.columns(['chargePointId', 'idTag']).doUpdateSet({
        status: sql`excluded.status`,
        expiryDate: sql`excluded.expiry_date`,
        parentIdTag: sql`excluded.parent_id_tag`,
      }),
    )
    .execute();
}

export async function remove(db: Db, chargePointId: string, idTags: readonly string[]): Promise<void> {
  if (idTags.length === 0) return;
  await db.deleteFrom('localListEntry').where('chargePointId', '=', chargePointId).where('idTag', 'in', idTags).execute();
}

export function list(db: Db, chargePointId: string) {
  return db
    .selectFrom('localListEntry')
    .select(['idTag', 'status', 'expiryDate', 'parentIdTag'])
    .where('chargePointId', '=', chargePointId)
    .orderBy('idTag')
    .execute();
}
