import type { Database, Db } from '../db/database.ts';
import type { ChargingOrderRow } from '../db/schema.ts';
import * as idTagRepository from '../id-tags/id-tag.repository.ts';
import type { Logger } from '../logger.ts';
import * as paymentService from '../payments/payment.service.ts';
import { cancellationTerms, type CancellationTerms } from '../tariffs/pricing.ts';
import type { Tariff } from '../tariffs/tariff.ts';
import { loadFor, wrongState } from './order-access.ts';
import type { OrderClient, OrderDeps } from './order-deps.ts';
import { refundDue } from './order-payment.service.ts';
import * as orderRepository from './order.repository.ts';

export interface Cancellation {
  order: ChargingOrderRow;
  terms: CancellationTerms;
}

/**
 * What cancelling would cost now: nothing before payment, the tariff's percentage of the amount
 * paid after it. Not while charging (stop instead) nor once the order is over.
 */
export async function quote(db: Database, client: OrderClient, orderId: string): Promise<Cancellation> {
  const order = await loadFor(db, client, orderId);
  assertCancellable(order);
  return { order, terms: termsOf(order) };
}

/** A cancelled order's terms as they were applied (what on_cancel and a repeated cancel report). */
export async function cancellationOf(db: Database, client: OrderClient, orderId: string): Promise<Cancellation> {
  const order = await loadFor(db, client, orderId);
  return { order, terms: termsOf(order) };
}

/**
 * Cancels the order and records the refund (paid amount less the fee) against its payment; a
 * repeated cancel answers the same result and refunds nothing more.
 */
export async function cancel(
  db: Database,
  deps: OrderDeps,
  log: Logger,
  client: OrderClient,
  orderId: string,
  request: { reason?: string | undefined; code?: string | undefined },
): Promise<Cancellation> {
  const result = await db.transaction().execute(async (tx) => {
    const order = await loadFor(tx, client, orderId, { forUpdate: true });
    if (order.status === 'cancelled') return { order, terms: termsOf(order), changed: false };
    assertCancellable(order);
    return { ...(await cancelLocked(tx, order, request, deps.now())), changed: true };
  });
  if (result.changed) await refundDue(db, deps.payments, log, result.order.id);
  return { order: (await orderRepository.findById(db, result.order.id)) ?? result.order, terms: result.terms };
}

/**
 * Orders whose charging window ended without a session: cancelled as no-shows on the same terms as
 * a driver's cancel (free if unpaid, the tariff's fee if paid), so prepaid money does not sit forever.
 */
export async function expireOverdue(db: Database, deps: Pick<OrderDeps, 'payments' | 'now'>, log: Logger): Promise<number> {
  const now = deps.now();
  let expired = 0;
  for (const id of await orderRepository.overdue(db, now, 50)) {
    const done = await db.transaction().execute(async (tx) => {
      const order = await orderRepository.findByIdForUpdate(tx, id);
      if (!order || order.status !== 'active' || order.chargingStatus !== 'idle' || order.validUntil > now) return false;
      await cancelLocked(tx, order, { reason: 'The charging window ended without a session', code: 'NO_SHOW' }, now);
      return true;
    });
    if (done) {
      expired++;
      await refundDue(db, deps.payments, log, id);
    }
  }
  return expired;
}

async function cancelLocked(tx: Db, order: ChargingOrderRow, request: { reason?: string | undefined; code?: string | undefined }, now: Date) {
  const terms = termsOf(order);
  const cancelled = await orderRepository.updateIf(tx, order.id, { status: [order.status] }, {
    status: 'cancelled',
    cancelReason: request.reason?.slice(0, 500) ?? null,
    cancelCode: request.code?.slice(0, 64) ?? null,
    cancellationFee: terms.fee,
    refundDue: terms.refund,
    cancelledAt: now,
  });
  // An intent still open at the gateway is void now; if it gets paid anyway, that is refunded in full.
  if (order.paymentStatus !== 'paid') await paymentService.cancelPending(tx, order.id);
  if (order.idTag) await idTagRepository.setStatus(tx, order.idTag, 'Expired');
  return { order: cancelled!, terms };
}

function assertCancellable(order: ChargingOrderRow): void {
  if (order.status === 'completed' || order.status === 'cancelled') throw wrongState(order, 'it cannot be cancelled');
  if (order.chargingStatus !== 'idle') throw wrongState(order, 'charging has started: stop the session instead');
}

/** The tariff's policy applied to what was actually paid (nothing before payment). */
function termsOf(order: ChargingOrderRow): CancellationTerms {
  const paid = order.paymentStatus === 'paid' || order.paymentStatus === 'refunded' ? order.quotedAmount : '0';
  return cancellationTerms(order.tariff as Tariff, paid);
}
