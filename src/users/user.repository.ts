import type { Insertable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { AppUserRow, AppUserTable } from '../db/schema.ts';

/** A user as the rest of the system sees it: everything but the password hash. */
export type UserRow = Omit<AppUserRow, 'passwordHash'>;

const PUBLIC_COLUMNS = [
  'id',
  'username',
  'role',
  'cpoOwnerId',
  'mustChangePassword',
  'disabled',
  'createdAt',
  'updatedAt',
] as const satisfies ReadonlyArray<keyof UserRow>;

/** Inserts a user; undefined when the username is taken (username is citext: case-insensitive). */
export function insertIfUsernameFree(db: Db, row: Insertable<AppUserTable>): Promise<UserRow | undefined> {
  // ON CONFLICT rather than catching the unique violation: a failed statement would abort the caller's transaction.
  return db
    .insertInto('appUser')
    .values(row)
    .onConflict((oc) => oc.column('username').doNothing())
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirst();
}

/** With the password hash: for checking a login only. */
export function findCredentialsByUsername(db: Db, username: string): Promise<AppUserRow | undefined> {
  return db.selectFrom('appUser').selectAll().where('username', '=', username).executeTakeFirst();
}

/** With the password hash: for checking a password change only. */
export function findCredentialsById(db: Db, id: number): Promise<AppUserRow | undefined> {
  return db.selectFrom('appUser').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Replaces the password hash, and clears must_change_password, only if the hash is still
 * `expectedHash` (the one the old password was checked against): undefined when it changed meanwhile.
 */
export function replacePasswordHash(
  db: Db,
  id: number,
  change: { expectedHash: string; newHash: string; at: Date },
): Promise<UserRow | undefined> {
  return db
    .updateTable('appUser')
    .set({ passwordHash: change.newHash, mustChangePassword: false, updatedAt: change.at })
    .where('id', '=', id)
    .where('passwordHash', '=', change.expectedHash)
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirst();
}

export function findById(db: Db, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('appUser').select(PUBLIC_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export async function cpoOwnerExists(db: Db, cpoOwnerId: number): Promise<boolean> {
  const row = await db.selectFrom('cpoOwner').select('id').where('id', '=', cpoOwnerId).executeTakeFirst();
  return row !== undefined;
}

export function setDisabled(db: Db, id: number, disabled: boolean): Promise<UserRow | undefined> {
  return db
    .updateTable('appUser')
    .set({ disabled, updatedAt: new Date() })
    .where('id', '=', id)
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirst();
}
