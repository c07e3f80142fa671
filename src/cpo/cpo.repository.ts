import type { Insertable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { CpoOwnerRow, CpoOwnerTable } from '../db/schema.ts';

/** Inserts a CPO owner; undefined when its (country_code, party_id) is taken. */
export function insertIfPartyFree(db: Db, row: Insertable<CpoOwnerTable>): Promise<CpoOwnerRow | undefined> {
  // ON CONFLICT rather than catching the unique violation: a failed statement would abort the caller's transaction.
  return db
    .insertInto('cpoOwner')
    .values(row)
    .onConflict((oc) => oc.columns(['countryCode', 'partyId']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Party ids in use in a country that start with `prefix` (for deriving a free one). */
export async function partyIdsStartingWith(db: Db, countryCode: string, prefix: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('cpoOwner')
    .select('partyId')
    .where('countryCode', '=', countryCode)
    .where('partyId', 'like', `${prefix.replace(/[\\%_]/g, '\\$&')}%`)
    .execute();
  return new Set(rows.map((r) => r.partyId));
}

export function findById(db: Db, id: number): Promise<CpoOwnerRow | undefined> {
  return db.selectFrom('cpoOwner').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The owner row, locked until the transaction ends. */
export function lockById(db: Db, id: number): Promise<CpoOwnerRow | undefined> {
  return db.selectFrom('cpoOwner').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Whether a CPO owner other than `exceptId` has `logo` as its logo. */
export async function logoUsedByOther(db: Db, logo: string, exceptId: number | null): Promise<boolean> {
  const row = await db
    .selectFrom('cpoOwner')
    .select('id')
    .where('logo', '=', logo)
    .$if(exceptId !== null, (qb) => qb.where('id', '<>', exceptId!))
    .executeTakeFirst();
  return row !== undefined;
}

export function setLogo(db: Db, id: number, logo: string | null, at: Date): Promise<CpoOwnerRow | undefined> {
  return db.updateTable('cpoOwner').set({ logo, dateModified: at }).where('id', '=', id).returningAll().executeTakeFirst();
}

export function setTokenCHash(db: Db, id: number, tokenCHash: string): Promise<CpoOwnerRow> {
  return db.updateTable('cpoOwner').set({ tokenCHash }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export type SupportColumns = Pick<CpoOwnerRow, 'supportName' | 'supportPhone' | 'supportEmail' | 'supportUrl' | 'supportHours' | 'supportChannels'>;

/** The CPO's support columns; undefined when the CPO does not exist. */
export function findSupport(db: Db, id: number): Promise<SupportColumns | undefined> {
  return db
    .selectFrom('cpoOwner')
    .select(['supportName', 'supportPhone', 'supportEmail', 'supportUrl', 'supportHours', 'supportChannels'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export function setSupport(db: Db, id: number, support: SupportColumns, at: Date): Promise<SupportColumns | undefined> {
  return db
    .updateTable('cpoOwner')
    .set({ ...support, dateModified: at })
    .where('id', '=', id)
    .returning(['supportName', 'supportPhone', 'supportEmail', 'supportUrl', 'supportHours', 'supportChannels'])
    .executeTakeFirst();
}
