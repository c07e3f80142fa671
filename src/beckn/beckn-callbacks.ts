import { randomUUID } from 'node:crypto';
import * as orderService from '../charging-orders/order.service.ts';
import * as becknMessageRepository from './beckn-message.repository.ts';
import type { BecknCallbackRow } from './beckn-message.repository.ts';
import { BECKN_CLIENT } from './beckn-flow.ts';
import { respond, viewMessage, type RespondDeps, type Told } from './beckn-respond.ts';
import type { BecknAction, BecknContext } from './context.ts';
import { orderOfCancellation } from './order-message.ts';
import { CANCELLED_BY_CONSUMER, CANCELLED_BY_PROVIDER, PROVIDER_CANCEL_CODES } from './beckn-codes.ts';

// The bodies of the callbacks we owe: answers to requests (built when first delivered), and the
// unsolicited ones — on_confirm once a confirmed order's payment arrives, on_update when the charger
// starts or ends the session by itself, on_cancel when the platform cancels — found by comparing each
// open Beckn order's state with what its BAP was last told.

/** The callback context: the request's, addressed back, with our id and uri and a fresh timestamp. */
export function callbackContext(deps: RespondDeps, request: Partial<BecknContext>, action: string, messageId: string) {
  return {
    domain: request.domain,
    ...(request.location !== undefined ? { location: request.location } : {}),
    action,
    version: request.version,
    bap_id: request.bap_id,
    bap_uri: request.bap_uri,
    bpp_id: deps.bppId,
    bpp_uri: deps.bppUri,
    transaction_id: request.transaction_id,
    message_id: messageId,
    timestamp: deps.orders.now().toISOString(),
    ...(request.ttl !== undefined ? { ttl: request.ttl } : {}),
  };
}

/** The body answering an acknowledged request; undefined when it is sent later by the notifier. */
export async function buildAnswer(deps: RespondDeps, callback: BecknCallbackRow): Promise<unknown> {
  const request = await becknMessageRepository.findMessage(deps.db, callback.bapId, callback.messageId);
  if (!request) throw new Error(`request ${callback.messageId} of ${callback.bapId} is gone`);
  const payload = request.payload as { context: BecknContext; message: unknown };
  const action = request.action as BecknAction;
  const told: Told = {};
  const reply = await respond(deps, action, payload.context, payload.message, told);
  // What this answer says of the order need not be said again; a change after it still will be.
  if (told.order && reply?.message !== undefined) await becknMessageRepository.markNotified(deps.db, told.order.id, stateOf(told.order));
  if (!reply || (reply.message === undefined && !reply.error)) return undefined;
  return {
    context: callbackContext(deps, payload.context, callback.action, callback.messageId),
    message: reply.message ?? {},
    ...(reply.error ? { error: reply.error } : {}),
  };
}

const stateOf = (o: { status: string; paymentStatus: string; chargingStatus: string }) => ({
  notifiedStatus: o.status,
  notifiedPaymentStatus: o.paymentStatus,
  notifiedChargingStatus: o.chargingStatus,
  open: o.status !== 'completed' && o.status !== 'cancelled',
});

/** Enqueues the unsolicited callbacks that open Beckn orders' state changes call for. */
export async function notifyChanges(deps: RespondDeps): Promise<number> {
  const changed = await becknMessageRepository.changedOpenOrders(deps.db, 50);
  let sent = 0;
  for (const row of changed) {
    const told = { status: row.notifiedStatus, payment: row.notifiedPaymentStatus, charging: row.notifiedChargingStatus };
    const base = { domain: undefined as string | undefined, version: undefined as string | undefined };
    const request = await requestContextOf(deps, row.bapId, row.transactionId, base);
    const outbox: Array<{ action: string; message: unknown; messageId: string }> = [];
    const send = (action: string, message: unknown, messageId: string = randomUUID()) => void outbox.push({ action, message, messageId });
    let answersConfirm = false;
    if (told.status !== null) {
      if (row.paymentStatus === 'paid' && told.payment !== 'paid' && row.confirmMessageId) {
        send('on_confirm', await viewMessage(deps, row), row.confirmMessageId);
        answersConfirm = true;
      }
      if (row.chargingStatus === 'active' && told.charging !== 'active' && told.charging !== 'stopping' && row.status === 'active') {
        send('on_update', await viewMessage(deps, row));
      }
      if (row.status === 'completed' && told.status !== 'completed') send('on_update', await viewMessage(deps, row));
      if (row.status === 'cancelled' && told.status !== 'cancelled') {
        const cancellation = await orderService.cancellationOf(deps.db, BECKN_CLIENT, row.orderId);
        const provider = await becknMessageRepository.providerOf(deps.db, cancellation.order.cpoOwnerId);
        const by = PROVIDER_CANCEL_CODES.includes(cancellation.order.cancelCode ?? '') ? CANCELLED_BY_PROVIDER : CANCELLED_BY_CONSUMER;
        send('on_cancel', orderOfCancellation(cancellation, provider, { cancelledBy: by }));
      }
    }
    // Every node's notifier sees the same change: only the one that moves the told state enqueues.
    sent += await deps.db.transaction().execute(async (tx) => {
      if (!(await becknMessageRepository.claimNotified(tx, row.orderId, told, stateOf(row)))) return 0;
      for (const { action, message, messageId } of outbox) {
        await becknMessageRepository.enqueueCallback(tx, {
          action, bapId: row.bapId, bapUri: row.bapUri, transactionId: row.transactionId, messageId,
          body: JSON.stringify({ context: callbackContext(deps, request, action, messageId), message }),
        });
      }
      if (answersConfirm) await becknMessageRepository.setConfirmPending(tx, row.orderId, null);
      return outbox.length;
    });
  }
  return sent;
}

/** The context of the BAP's latest request in the transaction: domain, version, location to answer in. */
async function requestContextOf(deps: RespondDeps, bapId: string, transactionId: string, fallback: Partial<BecknContext>) {
  const latest = await becknMessageRepository.latestMessageOfTransaction(deps.db, bapId, transactionId);
  const context = (latest?.payload as { context?: BecknContext } | undefined)?.context;
  return context ?? { ...fallback, bap_id: bapId, transaction_id: transactionId };
}
