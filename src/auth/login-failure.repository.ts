import type { Db } from '../db/database.ts';

export async function insert(db: Db, row: { username: string; remoteAddress: string | null; at: Date }): Promise<void> {
  await db.insertInto('loginFailure').values(row).execute();
}

/**
 * The `n`-th most recent failure for `username` after `since` (n ≥ 1), or undefined when there are
 * fewer: with n = the allowed number of failures, its time says whether, and until when, the username
 * is throttled. One range scan of login_failure_username_idx (username, at desc).
 */
export async function nthMostRecentSince(db: Db, username: string, since: Date, n: number): Promise<Date | undefined> {
  const row = await db
    .selectFrom('loginFailure')
    .select('at')
    .where('username', '=', username)
    .where('at', '>', since)
    .orderBy('at', 'desc')
    .offset(n - 1)
    .limit(1)
    .executeTakeFirst();
  return row?.at;
}

/** Forgets a username's failures (after a successful login); username is citext, so in any case. */
export async function deleteForUsername(db: Db, username: string): Promise<void> {
  await db.deleteFrom('loginFailure').where('username', '=', username).execute();
}

/** Housekeeping: failures older than any throttle window still counts. */
export async function deleteOlderThan(db: Db, cutoff: Date): Promise<number> {
  const result = await db.deleteFrom('loginFailure').where('at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
