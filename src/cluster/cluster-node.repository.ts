import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface ClusterNodeRow {
  id: string;
  startedAt: Date;
  lastHeartbeatAt: Date;
}

/**
 * Registers `nodeId` or refreshes its heartbeat; returns the heartbeat time as the database's clock
 * sees it, so cutoffs derived from it are immune to skew between the nodes' clocks. `at` replaces
 * the database's now() (tests use it to stage a node that stopped heartbeating).
 */
export async function heartbeat(db: Db, nodeId: string, at?: Date): Promise<Date> {
  const heartbeatAt = at ?? sql<Date>`now()`;
  const row = await db
    .insertInto('clusterNode')
    .values({ id: nodeId, lastHeartbeatAt: heartbeatAt })
    .onConflict((oc) => oc.column('id').doUpdateSet({ lastHeartbeatAt: heartbeatAt }))
    .returning('lastHeartbeatAt')
    .executeTakeFirstOrThrow();
  return row.lastHeartbeatAt;
}

export async function remove(db: Db, nodeId: string): Promise<boolean> {
  const result = await db.deleteFrom('clusterNode').where('id', '=', nodeId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Nodes whose last heartbeat is newer than `cutoff`, by id. */
export function listLive(db: Db, cutoff: Date): Promise<ClusterNodeRow[]> {
  return db
    .selectFrom('clusterNode')
    .select(['id', 'startedAt', 'lastHeartbeatAt'])
    .where('lastHeartbeatAt', '>', cutoff)
    .orderBy('id')
    .execute();
}

/** Forgets nodes that have been silent since before `cutoff`; returns how many. */
export async function removeSilentSince(db: Db, cutoff: Date): Promise<number> {
  const result = await db.deleteFrom('clusterNode').where('lastHeartbeatAt', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
