import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { StatusEventTable } from '../db/schema.ts';

/** One StatusNotification as reported: a row of status history, and the connector's state if newest. */
export type StatusReport = Omit<Selectable<StatusEventTable>, 'id' | 'receivedAt'>;

export async function insertEvents(db: Db, reports: readonly StatusReport[]): Promise<void> {
  if (reports.length === 0) return;
  await db.insertInto('statusEvent').values(reports.map((r) => ({ ...r }))).execute();
}

/**
 * Upserts the latest state per connector. Reports may arrive out of order (a charger replays its
 * queue after a reconnect): an older report never overwrites a newer one. Returns the reports that
 * became their connector's stored state (what a live map should be told).
 */
export async function upsertLatest(db: Db, reports: readonly StatusReport[]): Promise<StatusReport[]> {
  // One row per (charger, connector) per statement: PostgreSQL refuses to touch a row twice in one upsert.
  const latest = new Map<string, StatusReport>();
  for (const r of reports) {
    const key = `${r.chargePointId}\u0000${r.connectorId}`;
    const seen = latest.get(key);
    if (!seen || seen.statusAt <= r.statusAt) latest.set(key, r);
  }
  if (latest.size === 0) return [];
  return db
    .insertInto('connectorStatus')
    .values([...latest.values()].map((r) => ({ ...r, receivedAt: new Date() })))
    .onConflict((oc) =>
      oc.columns(['chargePointId', 'connectorId']).doUpdateSet({
        status: sql`excluded.status`,
        errorCode: sql`excluded.error_code`,
        info: sql`excluded.info`,
        vendorId: sql`excluded.vendor_id`,
        vendorErrorCode: sql`excluded.vendor_error_code`,
        statusAt: sql`excluded.status_at`,
        receivedAt: sql`excluded.received_at`,
      }).where(sql<boolean>`connector_status.status_at <= excluded.status_at`),
    )
    .returning(['chargePointId', 'connectorId', 'status', 'errorCode', 'info', 'vendorId', 'vendorErrorCode', 'statusAt'])
    .execute();
}

export function listForChargePoint(db: Db, chargePointId: string) {
  return db
    .selectFrom('connectorStatus')
    .selectAll()
    .where('chargePointId', '=', chargePointId)
    .orderBy('connectorId')
    .execute();
}

export function history(db: Db, chargePointId: string, limit: number) {
  return db
    .selectFrom('statusEvent')
    .selectAll()
    .where('chargePointId', '=', chargePointId)
    .orderBy('statusAt', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export function listForChargePoints(db: Db, chargePointIds: readonly string[]) {
  if (chargePointIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('connectorStatus')
    .selectAll()
    .where('chargePointId', 'in', chargePointIds)
    .orderBy('chargePointId')
    .orderBy('connectorId')
    .execute();
}
