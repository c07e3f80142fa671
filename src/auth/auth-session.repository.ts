import type { Db } from '../db/database.ts';
import type { UserRole } from '../db/schema.ts';

/** A login session with what a request needs of its user, read in one lookup by primary key. */
export interface SessionWithUser {
  id: string;
  userId: number;
  revokedAt: Date | null;
  currentRefreshJti: string | null;
  refreshExpiresAt: Date;
  username: string;
  role: UserRole;
  cpoOwnerId: number | null;
  disabled: boolean;
  mustChangePassword: boolean;
}

export async function insert(
  db: Db,
  row: { id: string; userId: number; currentRefreshJti: string | null; refreshExpiresAt: Date; createdAt: Date },
): Promise<void> {
  await db.insertInto('authSession').values(row).execute();
}

export function findWithUser(db: Db, sessionId: string): Promise<SessionWithUser | undefined> {
  return db
    .selectFrom('authSession as s')
    .innerJoin('appUser as u', 'u.id', 's.userId')
    .select([
      's.id', 's.userId', 's.revokedAt', 's.currentRefreshJti', 's.refreshExpiresAt',
      'u.username', 'u.role', 'u.cpoOwnerId', 'u.disabled', 'u.mustChangePassword',
    ])
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
}

/**
 * Compare-and-swap of the session's refresh token: true when `expectedJti` was still the current one
 * of a live session and is now replaced; false when another request rotated (or revoked) it first.
 */
export async function rotateRefresh(
  db: Db,
  sessionId: string,
  change: { expectedJti: string; newJti: string; refreshExpiresAt: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('authSession')
    .set({ currentRefreshJti: change.newJti, refreshExpiresAt: change.refreshExpiresAt })
    .where('id', '=', sessionId)
    .where('currentRefreshJti', '=', change.expectedJti)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Ends a session (idempotent: the first revocation time is kept). */
export async function revoke(db: Db, sessionId: string, at: Date): Promise<void> {
  await db.updateTable('authSession').set({ revokedAt: at }).where('id', '=', sessionId).where('revokedAt', 'is', null).execute();
}

/** Ends every live session of a user but `keepSessionId`; the number ended. */
export async function revokeOthers(db: Db, userId: number, keepSessionId: string, at: Date): Promise<number> {
  const result = await db
    .updateTable('authSession')
    .set({ revokedAt: at })
    .where('userId', '=', userId)
    .where('id', '<>', keepSessionId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Housekeeping: sessions whose refresh token expired before `cutoff` can never be used again. */
export async function deleteExpiredBefore(db: Db, cutoff: Date): Promise<number> {
  const result = await db.deleteFrom('authSession').where('refreshExpiresAt', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
