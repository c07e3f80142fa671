import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface ConfigurationEntry {
  key: string;
  value: string | null;
  readonly: boolean;
}

export async function upsertMany(db: Db, chargePointId: string, entries: readonly ConfigurationEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('chargePointConfiguration')
    .values(entries.map((e) => ({ chargePointId, ...e, updatedAt: new Date() })))
    .onConflict((oc) =>
      oc.columns(['chargePointId', 'key']).doUpdateSet({
        value: sql`excluded.value`,
        readonly: sql`excluded.readonly`,
        updatedAt: sql`excluded.updated_at`,
      }),
    )
    .execute();
}

export async function setValue(db: Db, chargePointId: string, key: string, value: string): Promise<void> {
  await db
    .insertInto('chargePointConfiguration')
    .values({ chargePointId, key, value, readonly: false, updatedAt: new Date() })
    .onConflict((oc) => oc.columns(['chargePointId', 'key']).doUpdateSet({ value, updatedAt: new Date() }))
    .execute();
}

export async function deleteKeys(db: Db, chargePointId: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.deleteFrom('chargePointConfiguration').where('chargePointId', '=', chargePointId).where('key', 'in', keys).execute();
}

export function list(db: Db, chargePointId: string) {
  return db
    .selectFrom('chargePointConfiguration')
    .select(['key', 'value', 'readonly', 'updatedAt'])
    .where('chargePointId', '=', chargePointId)
    .orderBy('key')
    .execute();
}
