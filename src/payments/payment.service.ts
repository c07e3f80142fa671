import type { Database, Db } from '../db/database.ts';
import type { PaymentRow, PaymentStatus, RefundReason, RefundRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { isAmount, sameMoney } from './amount.ts';
import * as paymentRepository from './payment.repository.ts';
import type { PaymentIntentRequest, PaymentProvider, WebhookEvent } from './payment-provider.ts';

// Payments of charging orders: one live payment per order, webhooks applied once, refunds once per
// (order, reason). The order itself belongs to the order service, which reads these results and
// updates the order in the same transaction.

export interface AppliedEvent {
  payment: PaymentRow | undefined;
  /** Whether this call changed the payment or its refund; false for a redelivered event. */
  changed: boolean;
  /** The payment's status before this event ('cancelled' before a success = a late payment to refund). */
  previousStatus: PaymentStatus | undefined;
  /** The refund a refund.* event was about. */
  refund?: RefundRow;
}

/**
 * The order's live payment if one exists (pending/paid/refunded…), else creates an intent at the
 * provider and records it (pending). Idempotent under retries and concurrent calls (the unique index
 * decides; on conflict re-read). Throws CONFLICT if a live payment for a different amount/currency exists.
 */
export async function openIntent(db: Database, provider: PaymentProvider, req: PaymentIntentRequest): Promise<PaymentRow> {
  if (!isAmount(req.amount)) {
    throw new AppError('VALIDATION_FAILED', 'payment amount must be a positive decimal with at most 2 decimals', {
      amount: req.amount,
    });
  }
  const live = await paymentRepository.findLiveForOrder(db, req.orderId);
  if (live) return sameOrConflict(live, req);

  // Counting only closed (failed, cancelled) payments gives concurrent callers the same idempotency
  // key even when one has inserted already, so they get the same intent; a try after a failure, a new one.
  const attempt = (await paymentRepository.countClosedForOrder(db, req.orderId)) + 1;
  const intent = await provider.createIntent({ ...req, attempt });
  const inserted = await paymentRepository.insertIfAbsent(db, {
    orderId: req.orderId,
    provider: provider.name,
    intentId: intent.intentId,
    amount: req.amount,
    currency: req.currency,
    method: req.method ?? null,
    paymentUrl: intent.paymentUrl,
    expiresAt: req.expiresAt,
  });
  if (inserted) return inserted;
  const winner = await paymentRepository.findLiveForOrder(db, req.orderId);
  if (winner) return sameOrConflict(winner, req);
  // The gateway replayed an intent this order already used and gave up on (failed or cancelled).
  throw new AppError('CONFLICT', 'the payment gateway answered with an intent already closed for this order', {
    intentId: intent.intentId,
  });
}

function sameOrConflict(payment: PaymentRow, req: PaymentIntentRequest): PaymentRow {
  if (sameMoney(payment, req)) return payment;
  throw new AppError('CONFLICT', 'the order already has a payment for another amount', {
    amount: payment.amount,
    currency: payment.currency,
  });
}

/**
 * Records a webhook event once (payment_event PK) and applies it to the payment: payment.succeeded
 * moves pending (or cancelled/failed: a late success) → paid, payment.failed pending → failed; refund
 * events update the refund row. A redelivered event changes nothing.
 *
 * Runs in the caller's transaction so the order update commits with it; given the database itself it
 * opens one. An event for an amount other than the payment's is recorded and then AppError
 * VALIDATION_FAILED is thrown: in the caller's transaction the record survives only if the caller
 * catches the error and commits; without one it is committed before the throw.
 * An event for an intent or refund not recorded yet throws NOT_FOUND unrecorded, so the gateway's
 * retry delivers it again once openIntent/refund has stored the id (the webhook can outrun them).
 */
export async function applyWebhookEvent(tx: Db, provider: string, event: WebhookEvent, rawPayload: unknown): Promise<AppliedEvent> {
  const outcome = tx.isTransaction
    ? await apply(tx, provider, event, rawPayload)
    : await tx.transaction().execute((t) => apply(t, provider, event, rawPayload));
  if ('rejected' in outcome) throw outcome.rejected;
  return outcome;
}

type Outcome = AppliedEvent | { rejected: AppError };

async function apply(tx: Db, provider: string, event: WebhookEvent, rawPayload: unknown): Promise<Outcome> {
  if (event.type === 'refund.succeeded' || event.type === 'refund.failed') {
    return applyRefundEvent(tx, provider, event, rawPayload);
  }
  const payment = event.intentId ? await paymentRepository.findByIntentForUpdate(tx, provider, event.intentId) : undefined;
  if (!payment) throw new AppError('NOT_FOUND', 'unknown payment intent', { intentId: event.intentId });
  const previousStatus = payment.status;
  const unchanged = { payment, changed: false, previousStatus };
  if (!(await record(tx, provider, event, payment.id, rawPayload))) return unchanged;

  if (event.type === 'payment.failed') {
    const failed = await paymentRepository.setStatus(tx, payment.id, 'pending', 'failed');
    return failed ? { payment: failed, changed: true, previousStatus } : unchanged;
  }
  if (!sameMoney(event, payment)) return { rejected: mismatch(event, payment) };
  if (previousStatus !== 'pending' && previousStatus !== 'cancelled' && previousStatus !== 'failed') return unchanged;
  if (previousStatus !== 'pending') {
    const other = await paymentRepository.findLiveForOrder(tx, payment.orderId);
    if (other && other.id !== payment.id) {
      // Money came in twice for one order; refusing (unrecorded) keeps the gateway retrying and the error visible.
      throw new AppError('CONFLICT', 'late payment on an order that has another live payment', {
        intentId: payment.intentId,
        livePaymentId: other.id,
      });
    }
  }
  const paid = await paymentRepository.markPaid(tx, payment.id, event.method ?? null, event.occurredAt);
  return { payment: paid, changed: true, previousStatus };
}

async function applyRefundEvent(tx: Db, provider: string, event: WebhookEvent, rawPayload: unknown): Promise<Outcome> {
  const found = event.refundId ? await paymentRepository.findRefundByProviderId(tx, provider, event.refundId) : undefined;
  if (!found) {
    // The gateway may answer the refund request after sending its webhook; that refund has no id yet.
    const payment = event.intentId ? await paymentRepository.findByIntent(tx, provider, event.intentId) : undefined;
    const waiting = payment ? await paymentRepository.hasUnsentRefund(tx, payment.id) : false;
    throw new AppError('NOT_FOUND', 'unknown refund', { refundId: event.refundId, retry: waiting || !payment });
  }
  // Payment before refund: the lock order refund() uses too.
  const payment = (await paymentRepository.findByIdForUpdate(tx, found.paymentId))!;
  const refundRow = (await paymentRepository.findRefundByIdForUpdate(tx, found.id))!;
  const previousStatus = payment.status;
  const unchanged = { payment, changed: false, previousStatus, refund: refundRow };
  if (!(await record(tx, provider, event, found.paymentId, rawPayload))) return unchanged;
  const expected = { amount: refundRow.amount, currency: payment.currency };
  if (!sameMoney(event, expected)) return { rejected: mismatch(event, expected) };
  if (refundRow.status !== 'pending') return unchanged;
  if (event.type === 'refund.succeeded') {
    const refund = await paymentRepository.updateRefund(tx, refundRow.id, { status: 'succeeded' });
    return { payment, changed: true, previousStatus, refund };
  }
  const refund = await paymentRepository.updateRefund(tx, refundRow.id, { status: 'failed' });
  const released = await paymentRepository.releaseRefund(tx, refundRow.paymentId, refundRow.amount);
  return { payment: released, changed: true, previousStatus, refund };
}

function record(tx: Db, provider: string, event: WebhookEvent, paymentId: number, rawPayload: unknown): Promise<boolean> {
  return paymentRepository.insertEventOnce(tx, {
    provider,
    eventId: event.eventId,
    paymentId,
    type: event.type,
    payload: asJson(rawPayload),
  });
}

function mismatch(event: WebhookEvent, expected: { amount: string; currency: string }): AppError {
  return new AppError('VALIDATION_FAILED', 'webhook amount does not match the payment', {
    eventId: event.eventId,
    amount: event.amount,
    currency: event.currency,
    expectedAmount: expected.amount,
    expectedCurrency: expected.currency,
  });
}

/** The webhook as jsonb: a raw body is stored parsed when it is JSON, as a string otherwise. */
function asJson(raw: unknown): unknown {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
  if (typeof text !== 'string') return raw ?? null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Records a refund against the order's paid payment once per (order, reason) and asks the provider
 * for it; a retry returns the existing refund (resuming the request if it never reached the gateway).
 * The amount counts in payment.refunded_amount from the moment it is recorded, so two reasons can
 * never give back more than was paid; a refund the gateway refuses is released again.
 * Undefined when the order has no paid payment; CONFLICT when the amount exceeds what is left.
 */
export async function refund(
  db: Database,
  provider: PaymentProvider,
  req: { orderId: string; amount: string; reason: RefundReason },
): Promise<RefundRow | undefined> {
  if (!isAmount(req.amount)) {
    throw new AppError('VALIDATION_FAILED', 'refund amount must be a positive decimal with at most 2 decimals', {
      amount: req.amount,
    });
  }
  const recorded = await db.transaction().execute(async (tx) => {
    // Locking the payment first serialises concurrent calls, so the second one sees the first's refund.
    const payment = await paymentRepository.findLiveForOrder(tx, req.orderId, true);
    const existing = await paymentRepository.findRefund(tx, req.orderId, req.reason);
    if (existing) return { refund: existing, payment };
    if (!payment || payment.status === 'pending') return undefined;
    const reserved = await paymentRepository.reserveRefund(tx, payment.id, req.amount);
    if (!reserved) {
      throw new AppError('CONFLICT', 'refund exceeds what is left of the payment', {
        amount: req.amount,
        paid: payment.amount,
        refunded: payment.refundedAmount,
      });
    }
    const row = await paymentRepository.insertRefund(tx, { paymentId: payment.id, orderId: req.orderId, amount: req.amount, reason: req.reason });
    return { refund: row, payment };
  });
  if (!recorded) return undefined;
  const { refund: row, payment } = recorded;
  if (row.status !== 'pending' || row.providerRefundId !== null || !payment || payment.id !== row.paymentId) return row;

  // Outside any transaction: the gateway may take seconds. The row above is committed first, so a
  // crash here leaves a pending refund that the next call resumes with the same idempotency key.
  const answer = await provider.refund({
    intentId: payment.intentId,
    amount: row.amount,
    currency: payment.currency,
    reason: req.reason,
    idempotencyKey: `refund:${req.orderId}:${req.reason}`,
  });
  return db.transaction().execute(async (tx) => {
    await paymentRepository.findByIdForUpdate(tx, row.paymentId);
    const current = (await paymentRepository.findRefundByIdForUpdate(tx, row.id))!;
    // A webhook may have settled it already; it wins over the synchronous answer.
    if (current.status !== 'pending' || answer.status === 'pending') {
      return paymentRepository.updateRefund(tx, row.id, { providerRefundId: answer.refundId });
    }
    if (answer.status === 'failed') await paymentRepository.releaseRefund(tx, row.paymentId, row.amount);
    return paymentRepository.updateRefund(tx, row.id, { providerRefundId: answer.refundId, status: answer.status });
  });
}

/** A pending intent of a cancelled order → cancelled (a later success webhook on it is then a 'late_payment' the order service refunds). */
export function cancelPending(tx: Db, orderId: string): Promise<void> {
  return paymentRepository.cancelPendingForOrder(tx, orderId);
}

export function findLiveForOrder(db: Db, orderId: string): Promise<PaymentRow | undefined> {
  return paymentRepository.findLiveForOrder(db, orderId);
}

export function listRefunds(db: Db, orderId: string): Promise<RefundRow[]> {
  return paymentRepository.listRefunds(db, orderId);
}
