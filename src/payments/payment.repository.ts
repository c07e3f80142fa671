import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { PaymentRow, PaymentStatus, RefundReason, RefundRow } from '../db/schema.ts';

/** Statuses the one-live-payment-per-order unique index covers. */
export const LIVE_STATUSES: readonly PaymentStatus[] = ['pending', 'paid', 'refunded', 'partially_refunded'];

export interface NewPayment {
  orderId: string;
  provider: string;
  intentId: string;
  amount: string;
  currency: string;
  method: string | null;
  paymentUrl: string;
  expiresAt: Date;
}

export function findLiveForOrder(db: Db, orderId: string, lock = false): Promise<PaymentRow | undefined> {
  let query = db.selectFrom('payment').selectAll().where('orderId', '=', orderId).where('status', 'in', LIVE_STATUSES);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** Failed and cancelled payments of the order: its earlier, given-up tries. */
export async function countClosedForOrder(db: Db, orderId: string): Promise<number> {
  const row = await db
    .selectFrom('payment')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('orderId', '=', orderId)
    .where('status', 'not in', LIVE_STATUSES)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Inserts, or does nothing when the intent is known or the order already has a live payment. */
export function insertIfAbsent(db: Db, payment: NewPayment): Promise<PaymentRow | undefined> {
  return db
    .insertInto('payment')
    .values({ ...payment, status: 'pending' })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function findByIntentForUpdate(db: Db, provider: string, intentId: string): Promise<PaymentRow | undefined> {
  return db
    .selectFrom('payment')
    .selectAll()
    .where('provider', '=', provider)
    .where('intentId', '=', intentId)
    .forUpdate()
    .executeTakeFirst();
}

export function findByIdForUpdate(db: Db, id: number): Promise<PaymentRow | undefined> {
  return db.selectFrom('payment').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function markPaid(db: Db, id: number, method: string | null, paidAt: Date): Promise<PaymentRow> {
  return db
    .updateTable('payment')
    .set((eb) => ({ status: 'paid', paidAt, method: eb.fn.coalesce(eb.val(method), 'method'), updatedAt: sql`now()` }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function setStatus(db: Db, id: number, from: PaymentStatus, to: PaymentStatus): Promise<PaymentRow | undefined> {
  return db
    .updateTable('payment')
    .set({ status: to, updatedAt: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', from)
    .returningAll()
    .executeTakeFirst();
}

export async function cancelPendingForOrder(db: Db, orderId: string): Promise<void> {
  await db
    .updateTable('payment')
    .set({ status: 'cancelled', updatedAt: sql`now()` })
    .where('orderId', '=', orderId)
    .where('status', '=', 'pending')
    .execute();
}

/**
 * Adds `amount` to the refunded total unless that would exceed what was paid (undefined then); the
 * status follows: refunded once the whole amount is given back. Summed in SQL numeric, exactly.
 */
export function reserveRefund(db: Db, paymentId: number, amount: string): Promise<PaymentRow | undefined> {
  return db
    .updateTable('payment')
    .set({
      refundedAmount: sql`refunded_amount + ${amount}::numeric`,
      status: sql`case when refunded_amount + ${amount}::numeric >= amount then 'refunded' else 'partially_refunded' end`,
      updatedAt: sql`now()`,
    })
    .where('id', '=', paymentId)
    .where(sql<boolean>`refunded_amount + ${amount}::numeric <= amount`)
    .returningAll()
    .executeTakeFirst();
}

/** Gives back a reservation of a refund the gateway refused. */
export function releaseRefund(db: Db, paymentId: number, amount: string): Promise<PaymentRow> {
  return db
    .updateTable('payment')
    .set({
      refundedAmount: sql`greatest(refunded_amount - ${amount}::numeric, 0)`,
      status: sql`case when refunded_amount - ${amount}::numeric <= 0 then 'paid' else 'partially_refunded' end`,
      updatedAt: sql`now()`,
    })
    .where('id', '=', paymentId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface NewPaymentEvent {
  provider: string;
  eventId: string;
  paymentId: number | null;
  type: string;
  payload: unknown;
}

/** False when the event was recorded before (a redelivery). */
export async function insertEventOnce(db: Db, event: NewPaymentEvent): Promise<boolean> {
  const row = await db
    .insertInto('paymentEvent')
    .values({ ...event, payload: JSON.stringify(event.payload) })
    .onConflict((oc) => oc.columns(['provider', 'eventId']).doNothing())
    .returning('eventId')
    .executeTakeFirst();
  return row !== undefined;
}

export function findRefund(db: Db, orderId: string, reason: RefundReason, lock = false): Promise<RefundRow | undefined> {
  let query = db.selectFrom('refund').selectAll().where('orderId', '=', orderId).where('reason', '=', reason);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export function findRefundByIdForUpdate(db: Db, id: number): Promise<RefundRow | undefined> {
  return db.selectFrom('refund').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function findRefundByProviderId(db: Db, provider: string, providerRefundId: string): Promise<RefundRow | undefined> {
  return db
    .selectFrom('refund')
    .innerJoin('payment', 'payment.id', 'refund.paymentId')
    .selectAll('refund')
    .where('payment.provider', '=', provider)
    .where('refund.providerRefundId', '=', providerRefundId)
    .executeTakeFirst();
}

/** Whether a refund of this payment is still waiting for the gateway's id (its webhook can come first). */
export async function hasUnsentRefund(db: Db, paymentId: number): Promise<boolean> {
  const row = await db
    .selectFrom('refund')
    .select('id')
    .where('paymentId', '=', paymentId)
    .where('providerRefundId', 'is', null)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row !== undefined;
}

export function insertRefund(
  db: Db,
  refund: { paymentId: number; orderId: string; amount: string; reason: RefundReason },
): Promise<RefundRow> {
  return db.insertInto('refund').values(refund).returningAll().executeTakeFirstOrThrow();
}

export function updateRefund(
  db: Db,
  id: number,
  fields: { providerRefundId?: string; status?: RefundRow['status'] },
): Promise<RefundRow> {
  return db
    .updateTable('refund')
    .set({ ...fields, updatedAt: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listRefunds(db: Db, orderId: string): Promise<RefundRow[]> {
  return db.selectFrom('refund').selectAll().where('orderId', '=', orderId).orderBy('id').execute();
}

/** The payment of an intent, without a lock (a refund webhook that names its intent). */
export function findByIntent(db: Db, provider: string, intentId: string): Promise<PaymentRow | undefined> {
  return db
    .selectFrom('payment')
    .selectAll()
    .where('provider', '=', provider)
    .where('intentId', '=', intentId)
    .executeTakeFirst();
}
