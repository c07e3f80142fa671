import * as catalogService from '../catalog/catalog.service.ts';
import type { OrderDeps } from '../charging-orders/order-deps.ts';
import * as orderService from '../charging-orders/order.service.ts';
import type { Database } from '../db/database.ts';
import type { ChargingOrderRow } from '../db/schema.ts';
import { isAppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { becknErrorOf, type BecknError } from './beckn-errors.ts';
import { BECKN_CLIENT, resolveOrder, resolveRated } from './beckn-flow.ts';
import * as becknMessageRepository from './beckn-message.repository.ts';
import type { BecknOrderRow } from './beckn-message.repository.ts';
import { buildOnSearchMessage } from './catalog-message.ts';
import type { BecknAction, BecknContext } from './context.ts';
import * as intent from './intent.ts';
import type { BecknBilling, BecknCustomer } from './intent-order.ts';
import { buildOnRatingMessage, buildOnSupportMessage, orderOfCancellation, orderOfEstimate, orderOfView } from './order-message.ts';

// The asynchronous half: acting on an acknowledged request and building its on_* message. Runs in
// the callback dispatcher, possibly again after a crash, so every step is the order service's
// idempotent one (a second start starts nothing, a second cancel refunds nothing).

export interface RespondDeps {
  db: Database;
  orders: OrderDeps;
  log: Logger;
  /** Our own identity, for the callback's context. */
  bppId: string;
  bppUri: string;
}

/** `message` for a callback, or an error with what message we can still give (the order as it is). */
export type Reply = { message: unknown; error?: BecknError } | undefined;

/** The order as the message being built shows it: what the BAP will have been told. */
export interface Told {
  order?: ChargingOrderRow;
}

export async function respond(deps: RespondDeps, action: BecknAction, context: BecknContext, message: unknown, told: Told = {}): Promise<Reply> {
  try {
    return { message: await act(deps, action, context, message, told) };
  } catch (err) {
    if (!isAppError(err)) throw err;
    return { message: await fallbackMessage(deps, action, context, message, told), error: becknErrorOf(err) };
  }
}

async function act(deps: RespondDeps, action: BecknAction, context: BecknContext, message: unknown, told: Told): Promise<unknown> {
  const { db, orders } = deps;
  switch (action) {
    case 'search': {
      const query = intent.parseSearchIntent(message);
      const page = await catalogService.search(db, query, orders.now());
      return buildOnSearchMessage(page, { bppName: deps.bppId, timeWindow: query.timeWindow });
    }
    case 'select': {
      const estimate = await orderService.estimate(db, orders, { ...BECKN_CLIENT, externalRef: context.transaction_id }, intent.toEstimateInput(intent.parseSelect(message)));
      await becknMessageRepository.linkOrder(db, { orderId: estimate.order.id, bapId: context.bap_id, bapUri: context.bap_uri, transactionId: context.transaction_id });
      told.order = estimate.order;
      return orderOfEstimate(estimate, await becknMessageRepository.providerOf(db, estimate.order.cpoOwnerId));
    }
    case 'init': {
      const details = intent.parseInit(message);
      const link = await resolveOrder(db, context, details.orderId, 'message.order.id');
      await becknMessageRepository.setParties(db, link.orderId, { billing: details.billing, customer: details.customer });
      await orderService.initiatePayment(db, orders, BECKN_CLIENT, link.orderId, { method: details.paymentMethod });
      return viewMessage(deps, (await becknMessageRepository.findOrderLink(db, link.orderId))!, told);
    }
    case 'confirm': {
      const link = await resolveOrder(db, context, intent.parseConfirm(message).orderId, 'message.order.id');
      const view = await orderService.get(db, orders, BECKN_CLIENT, link.orderId);
      if (view.order.paymentStatus !== 'paid') {
        // Confirmed once paid: the notifier answers this confirm when the gateway's webhook comes in.
        await becknMessageRepository.setConfirmPending(db, link.orderId, context.message_id);
        return undefined;
      }
      return viewMessage(deps, link, told);
    }
    case 'update': {
      const update = intent.parseUpdate(message);
      const link = await resolveOrder(db, context, update.orderId, 'message.order.id');
      if (update.action === 'start') await orderService.start(db, orders, BECKN_CLIENT, link.orderId);
      else await orderService.stop(db, orders, BECKN_CLIENT, link.orderId, { reasonCode: 'end-charging' });
      return viewMessage(deps, link, told);
    }
    case 'status':
      return viewMessage(deps, await resolveOrder(db, context, intent.parseStatus(message).orderId, 'message.order_id'), told);
    case 'cancel': {
      const cancel = intent.parseCancel(message);
      const link = await resolveOrder(db, context, cancel.orderId, 'message.order_id');
      const result = await orderService.cancel(db, orders, deps.log, BECKN_CLIENT, link.orderId, cancel.request);
      told.order = result.order;
      return orderOfCancellation(result, await becknMessageRepository.providerOf(db, result.order.cpoOwnerId), parties(link));
    }
    case 'rating': {
      const ratings = intent.parseRating(message);
      const link = await resolveRated(db, context, ratings);
      await orderService.rate(db, BECKN_CLIENT, link.orderId, ratings[0]!.input);
      return buildOnRatingMessage();
    }
    case 'support': {
      const orderId = intent.parseSupport(message).orderId;
      if (!orderId) return buildOnSupportMessage({ phone: orders.support.phone, email: orders.support.email, url: orders.support.url });
      const link = await resolveOrder(db, context, orderId, 'message.support.ref_id');
      const { support } = await orderService.support(db, orders, BECKN_CLIENT, link.orderId);
      return buildOnSupportMessage({ orderId: link.orderId, phone: support.phone, email: support.email, url: support.url });
    }
  }
}

/** The order's message as the order service shows it now (on_init, on_confirm, on_update, on_status). */
export async function viewMessage(deps: RespondDeps, link: BecknOrderRow, told: Told = {}) {
  const view = await orderService.get(deps.db, deps.orders, BECKN_CLIENT, link.orderId);
  told.order = view.order;
  return orderOfView(view, await becknMessageRepository.providerOf(deps.db, view.order.cpoOwnerId), parties(link));
}

const parties = (link: BecknOrderRow) => ({
  ...(link.billing ? { billing: link.billing as BecknBilling } : {}),
  ...(link.customer ? { customer: link.customer as BecknCustomer } : {}),
});

/** After a failed action, the order as it stands (callbacks whose schema requires one). */
async function fallbackMessage(deps: RespondDeps, action: BecknAction, context: BecknContext, message: unknown, told: Told): Promise<unknown> {
  if (action === 'search') return { catalog: { providers: [] } };
  if (action === 'select' || action === 'rating' || action === 'support') return {};
  try {
    return await viewMessage(deps, await resolveOrder(deps.db, context, orderIdNamed(action, message), 'message'), told);
  } catch {
    return { order: { id: 'unknown' } };
  }
}

/** The order id a request names, if any (none: the transaction's order is meant). */
function orderIdNamed(action: BecknAction, message: unknown): string | undefined {
  switch (action) {
    case 'init': return intent.parseInit(message).orderId;
    case 'confirm': return intent.parseConfirm(message).orderId;
    case 'update': return intent.parseUpdate(message).orderId;
    case 'status': return intent.parseStatus(message).orderId;
    case 'cancel': return intent.parseCancel(message).orderId;
    default: return undefined;
  }
}
