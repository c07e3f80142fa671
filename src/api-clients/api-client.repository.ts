import type { Db } from '../db/database.ts';
import type { ApiClientRow } from '../db/schema.ts';

export function insert(db: Db, row: { name: string; clientId: string; secretHash: string }): Promise<ApiClientRow> {
  return db.insertInto('apiClient').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findByClientId(db: Db, clientId: string): Promise<ApiClientRow | undefined> {
  return db.selectFrom('apiClient').selectAll().where('clientId', '=', clientId).executeTakeFirst();
}

export async function revoke(db: Db, clientId: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('apiClient')
    .set({ revokedAt: at })
    .where('clientId', '=', clientId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export function list(db: Db): Promise<ApiClientRow[]> {
  return db.selectFrom('apiClient').selectAll().orderBy('createdAt').execute();
}
