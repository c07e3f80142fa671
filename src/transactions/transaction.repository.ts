import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { TransactionRow } from '../db/schema.ts';

export interface NewTransaction {
  chargePointId: string;
  connectorId: number;
  idTag: string;
  idTagStatus: string;
  meterStart: number;
  startTimestamp: Date;
  reservationId: number | null;
}

/**
 * Inserts a transaction, or finds the one an identical earlier StartTransaction created (the
 * charger resends when it missed our answer). `created` tells which.
 */
export async function insertOrFindSame(db: Db, tx: NewTransaction): Promise<{ row: TransactionRow; created: boolean }> {
  const inserted = await db
    .insertInto('transaction')
    .values(tx)
    .onConflict((oc) =>
      oc.columns(['chargePointId', 'connectorId', 'idTag', 'startTimestamp', 'meterStart']).doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const existing = await db
    .selectFrom('transaction')
    .selectAll()
    .where('chargePointId', '=', tx.chargePointId)
    .where('connectorId', '=', tx.connectorId)
    .where('idTag', '=', tx.idTag)
    .where('startTimestamp', '=', tx.startTimestamp)
    .where('meterStart', '=', tx.meterStart)
    .executeTakeFirstOrThrow();
  return { row: existing, created: false };
}

export function findByIdForUpdate(db: Db, chargePointId: string, id: number): Promise<TransactionRow | undefined> {
  return db
    .selectFrom('transaction')
    .selectAll()
    .where('id', '=', id)
    .where('chargePointId', '=', chargePointId)
    .forUpdate()
    .executeTakeFirst();
}

export function findById(db: Db, id: number): Promise<TransactionRow | undefined> {
  return db.selectFrom('transaction').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface StopFields {
  meterStop: number;
  stopTimestamp: Date;
  stopReason: string;
  stopIdTag: string | null;
}

export async function markStopped(db: Db, id: number, stop: StopFields): Promise<TransactionRow> {
  return db
    .updateTable('transaction')
    .set({ ...stop, stoppedAt: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function hasActiveForIdTag(db: Db, idTag: string, exceptId?: number): Promise<boolean> {
  let query = db
    .selectFrom('transaction')
    .select(sql<number>`1`.as('one'))
    .where('idTag', '=', idTag)
    .where('stopTimestamp', 'is', null);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

export function findActive(db: Db, chargePointId: string, connectorId?: number): Promise<TransactionRow[]> {
  let query = db
    .selectFrom('transaction')
    .selectAll()
    .where('chargePointId', '=', chargePointId)
    .where('stopTimestamp', 'is', null);
  if (connectorId !== undefined) query = query.where('connectorId', '=', connectorId);
  return query.orderBy('startTimestamp', 'desc').execute();
}

export interface NewStopAnomaly {
  chargePointId: string;
  transactionId: number;
  kind: 'unknown_transaction' | 'already_stopped';
  idTag: string | null;
  meterStop: number;
  stopTimestamp: Date;
  reason: string | null;
  payload: unknown;
}

export async function insertStopAnomaly(db: Db, anomaly: NewStopAnomaly): Promise<void> {
  await db
    .insertInto('transactionStopAnomaly')
    .values({ ...anomaly, payload: JSON.stringify(anomaly.payload) })
    .execute();
}

export function listStopAnomalies(db: Db, chargePointId: string) {
  return db
    .selectFrom('transactionStopAnomaly')
    .selectAll()
    .where('chargePointId', '=', chargePointId)
    .orderBy('receivedAt', 'desc')
    .execute();
}

export interface TransactionFilter {
  chargePointId?: string | undefined;
  idTag?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  active?: boolean | undefined;
  limit: number;
  offset: number;
}

export function list(db: Db, f: TransactionFilter): Promise<TransactionRow[]> {
  let query = db.selectFrom('transaction').selectAll();
  if (f.chargePointId) query = query.where('chargePointId', '=', f.chargePointId);
  if (f.idTag) query = query.where('idTag', '=', f.idTag);
  if (f.from) query = query.where('startTimestamp', '>=', f.from);
  if (f.to) query = query.where('startTimestamp', '<', f.to);
  if (f.active !== undefined) query = query.where('stopTimestamp', f.active ? 'is' : 'is not', null);
  return query.orderBy('startTimestamp', 'desc').orderBy('id', 'desc').limit(f.limit).offset(f.offset).execute();
}
