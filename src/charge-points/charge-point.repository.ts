import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ChargePointRow, ChargePointUpdate, NewChargePoint } from '../db/schema.ts';

export function findById(db: Db, id: string): Promise<ChargePointRow | undefined> {
  return db.selectFrom('chargePoint').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insert(db: Db, row: NewChargePoint): Promise<ChargePointRow> {
  return db.insertInto('chargePoint').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Inserts the row unless the id exists; returns the stored row either way. */
export async function insertIfAbsent(db: Db, row: NewChargePoint): Promise<ChargePointRow> {
  await db.insertInto('chargePoint').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();
  return db.selectFrom('chargePoint').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
}

export async function update(db: Db, id: string, changes: ChargePointUpdate): Promise<ChargePointRow | undefined> {
  return db
    .updateTable('chargePoint')
    .set({ ...changes, updatedAt: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function markConnected(
  db: Db,
  id: string,
  at: Date,
  serverId: string,
  wsConnectionId: string,
): Promise<void> {
  await db
    .updateTable('chargePoint')
    .set({ online: true, connectedAt: at, lastSeenAt: at, serverId, wsConnectionId, updatedAt: at })
    .where('id', '=', id)
    .execute();
}

/** Only the connection that is still current may mark the charger offline (a replaced socket must not). */
export async function markDisconnected(db: Db, id: string, wsConnectionId: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('chargePoint')
    .set({ online: false, disconnectedAt: at, wsConnectionId: null, updatedAt: at })
    .where('id', '=', id)
    .where('wsConnectionId', '=', wsConnectionId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** After a crash the node's chargers are not connected to it anymore, whatever the table says. */
export async function markServerOffline(db: Db, serverId: string, at: Date): Promise<number> {
  const result = await db
    .updateTable('chargePoint')
    .set({ online: false, disconnectedAt: at, wsConnectionId: null, updatedAt: at })
    .where('serverId', '=', serverId)
    .where('online', '=', true)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Coalesced last-seen update for many chargers in one statement. */
export async function touchMany(db: Db, touches: ReadonlyMap<string, Date>): Promise<void> {
  if (touches.size === 0) return;
  const values = sql.join(
    [...touches].map(([id, at]) => sql`(${id}::text, ${at.toISOString()}::timestamptz)`),
  );
  await sql`
    update charge_point as cp set last_seen_at = greatest(cp.last_seen_at, v.at)
    from (values ${values}) as v(id, at)
    where cp.id = v.id`.execute(db);
}

export async function insertEvent(db: Db, chargePointId: string, kind: 'diagnostics' | 'firmware', status: string): Promise<void> {
  await db.insertInto('chargePointEvent').values({ chargePointId, kind, status }).execute();
}

export interface ChargePointFilter {
  online?: boolean | undefined;
  registrationStatus?: 'Accepted' | 'Pending' | 'Rejected' | undefined;
  limit: number;
  offset: number;
}

export function list(db: Db, filter: ChargePointFilter): Promise<ChargePointRow[]> {
  let query = db.selectFrom('chargePoint').selectAll();
  if (filter.online !== undefined) query = query.where('online', '=', filter.online);
  if (filter.registrationStatus) query = query.where('registrationStatus', '=', filter.registrationStatus);
  return query.orderBy('id').limit(filter.limit).offset(filter.offset).execute();
}

/**
 * Chargers that claim to be online on a node with no heartbeat after `liveNodeCutoff` (a crashed
 * node, one never registered, or none at all) are not connected anywhere: marks them offline.
 */
export async function markOrphansOffline(db: Db, liveNodeCutoff: Date, at: Date): Promise<number> {
  const result = await db
    .updateTable('chargePoint')
    .set({ online: false, wsConnectionId: null, disconnectedAt: at, updatedAt: at })
    .where('online', '=', true)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('clusterNode')
            .select('clusterNode.id')
            .whereRef('clusterNode.id', '=', 'chargePoint.serverId')
            .where('clusterNode.lastHeartbeatAt', '>', liveNodeCutoff),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Registers many chargers in one statement: new ids are inserted, chargers that connected while
 * unknown (Pending) get their credentials and are Accepted. Returns the ids it wrote; an id missing
 * from the answer was already registered.
 */
export async function registerMany(db: Db, rows: ReadonlyArray<{ id: string; passwordHash: string | null }>): Promise<string[]> {
  if (rows.length === 0) return [];
  const written = await db
    .insertInto('chargePoint')
    .values(rows.map((r) => ({ id: r.id, passwordHash: r.passwordHash, registrationStatus: 'Accepted' as const })))
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          passwordHash: eb.ref('excluded.passwordHash'),
          registrationStatus: eb.ref('excluded.registrationStatus'),
          updatedAt: new Date(),
        }))
        .where('chargePoint.registrationStatus', '=', 'Pending'),
    )
    .returning('id')
    .execute();
  return written.map((r) => r.id);
}
