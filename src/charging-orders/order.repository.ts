import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ChargingOrderRow, ChargingOrderTable, OrderChargingStatus, OrderPaymentStatus, OrderStatus } from '../db/schema.ts';
import type { Insertable, Updateable } from 'kysely';

export type NewOrder = Insertable<ChargingOrderTable>;
export type OrderUpdate = Updateable<ChargingOrderTable>;

/** A connector that can be sold: on a published location, with its charger, EVSE and CPO. */
export function findSellableConnector(db: Db, evseUid: string, connectorNumber: number) {
  return db
    .selectFrom('connector')
    .innerJoin('evse', 'evse.id', 'connector.evseId')
    .innerJoin('location', 'location.id', 'evse.locationId')
    .innerJoin('cpoOwner', 'cpoOwner.id', 'location.cpoOwnerId')
    .select([
      'connector.id as connectorId', 'connector.connectorId as ocppConnectorId', 'connector.connectorType', 'connector.standard',
      'connector.powerType', 'connector.maxElectricPower', 'evse.id as evseId', 'evse.uid as evseUid', 'evse.evseId as evseCode',
      'location.id as locationId', 'location.publish', 'cpoOwner.id as cpoOwnerId',
    ])
    .where(sql<boolean>`lower(evse.uid) = lower(${evseUid})`)
    .where('connector.connectorId', '=', connectorNumber)
    .executeTakeFirst();
}

export type SellableConnector = NonNullable<Awaited<ReturnType<typeof findSellableConnector>>>;

export async function insert(db: Db, order: NewOrder): Promise<ChargingOrderRow> {
  return db.insertInto('chargingOrder').values(order).returningAll().executeTakeFirstOrThrow();
}

export function findById(db: Db, id: string): Promise<ChargingOrderRow | undefined> {
  return db.selectFrom('chargingOrder').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findByIdForUpdate(db: Db, id: string): Promise<ChargingOrderRow | undefined> {
  return db.selectFrom('chargingOrder').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function findByTransactionForUpdate(db: Db, transactionId: number): Promise<ChargingOrderRow | undefined> {
  return db.selectFrom('chargingOrder').selectAll().where('transactionId', '=', transactionId).forUpdate().executeTakeFirst();
}

export interface Expected {
  status?: readonly OrderStatus[];
  paymentStatus?: readonly OrderPaymentStatus[];
  chargingStatus?: readonly OrderChargingStatus[];
  /** Only a row last changed before this instant (a stale 'starting' may be retried). */
  updatedBefore?: Date;
}

/**
 * Updates the order only if it is still in the expected state: the state machine's compare-and-set,
 * so two racing requests cannot both move it. Undefined when the order was not in that state.
 */
export async function updateIf(db: Db, id: string, expected: Expected, changes: OrderUpdate): Promise<ChargingOrderRow | undefined> {
  return db
    .updateTable('chargingOrder')
    .set({ ...changes, updatedAt: sql<Date>`now()` })
    .where('id', '=', id)
    .$if(expected.status !== undefined, (qb) => qb.where('status', 'in', expected.status!))
    .$if(expected.paymentStatus !== undefined, (qb) => qb.where('paymentStatus', 'in', expected.paymentStatus!))
    .$if(expected.chargingStatus !== undefined, (qb) => qb.where('chargingStatus', 'in', expected.chargingStatus!))
    .$if(expected.updatedBefore !== undefined, (qb) => qb.where('updatedAt', '<', expected.updatedBefore!))
    .returningAll()
    .executeTakeFirst();
}

/** The order that bound `idTag`, waiting for its charger to start: it now owns `transactionId`. */
export function linkTransaction(db: Db, idTag: string, transactionId: number, startedAt: Date): Promise<ChargingOrderRow | undefined> {
  return db
    .updateTable('chargingOrder')
    .set({ transactionId, chargingStatus: 'active', chargingStartedAt: startedAt, updatedAt: sql<Date>`now()` })
    .where(sql<boolean>`id_tag = ${idTag}::citext`)
    .where('status', '=', 'active')
    .where('paymentStatus', '=', 'paid')
    .where('transactionId', 'is', null)
    .where('chargingStatus', 'in', ['idle', 'starting'])
    .returningAll()
    .executeTakeFirst();
}

export function hasRating(db: Db, orderId: string): Promise<boolean> {
  return db.selectFrom('orderRating').select('orderId').where('orderId', '=', orderId).executeTakeFirst().then(Boolean);
}

export async function insertRating(
  db: Db,
  rating: { orderId: string; connectorId: number; value: number; comments: string | null; tags: string[]; submissionId: string },
): Promise<boolean> {
  const row = await db.insertInto('orderRating').values(rating).onConflict((oc) => oc.column('orderId').doNothing()).returning('orderId').executeTakeFirst();
  return Boolean(row);
}

/**
 * Where the energy register of a transaction stopped rising: its highest reading and when it was
 * first reached. The time after it, until the stop, is the idle time a tariff may charge for.
 */
export async function energyPlateau(db: Db, transactionId: number): Promise<{ value: string; unit: string | null; since: Date } | undefined> {
  const row = await db
    .selectFrom('meterValue')
    .select(['value', 'unit', 'sampledAt'])
    .where('transactionId', '=', transactionId)
    .where('measurand', '=', 'Energy.Active.Import.Register')
    .where('phase', 'is', null)
    .where('value', 'is not', null)
    .orderBy('value', 'desc')
    .orderBy('sampledAt', 'asc')
    .limit(1)
    .executeTakeFirst();
  return row && row.value !== null ? { value: row.value, unit: row.unit, since: row.sampledAt } : undefined;
}

/** Orders that owe the driver money back and have no refund recorded yet (the maintenance sweep's work). */
export async function owingRefund(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('chargingOrder as o')
    .select('o.id')
    .where('o.refundDue', '>', '0')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('refund as r').select('r.id').whereRef('r.orderId', '=', 'o.id'))))
    .orderBy('o.updatedAt')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Active orders not charging whose window is over (no-shows, or payments never completed). */
export async function overdue(db: Db, now: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('chargingOrder')
    .select('id')
    .where('status', '=', 'active')
    .where('chargingStatus', '=', 'idle')
    .where('validUntil', '<=', now)
    .orderBy('validUntil')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
