import type { Database } from '../db/database.ts';
import type { OrderClient } from '../charging-orders/order-deps.ts';
import { BecknErrorCode } from './beckn-codes.ts';
import * as becknMessageRepository from './beckn-message.repository.ts';
import type { BecknOrderRow } from './beckn-message.repository.ts';
import type { BecknAction, BecknContext } from './context.ts';
import * as intent from './intent.ts';
import { BecknRequestError } from './intent-read.ts';

// The synchronous half of a Beckn request: what must hold before we say ACK. Everything that can be
// checked without acting — the message parses, the item or order it names exists and is this BAP's
// — is checked here, so a NACK comes at once and an ACK is a promise we can keep.

/** Orders made over Beckn belong to the BAP; the order service sees them on the beckn channel. */
export const BECKN_CLIENT: OrderClient = { apiClientId: null, channel: 'beckn' };

export async function prepare(db: Database, action: BecknAction, context: BecknContext, message: unknown): Promise<void> {
  switch (action) {
    case 'search':
      intent.parseSearchIntent(message);
      return;
    case 'select': {
      const select = intent.parseSelect(message);
      if (!select.item) throw new BecknRequestError(BecknErrorCode.itemNotFound, 'message.order.items[0].id', `Item ${select.itemId} not found`);
      return;
    }
    case 'init':
    case 'confirm':
      await resolveOrder(db, context, intent.parseInit(message).orderId, 'message.order.id');
      return;
    case 'update':
      await resolveOrder(db, context, intent.parseUpdate(message).orderId, 'message.order.id');
      return;
    case 'status':
      await resolveOrder(db, context, intent.parseStatus(message).orderId, 'message.order_id');
      return;
    case 'cancel':
      await resolveOrder(db, context, intent.parseCancel(message).orderId, 'message.order_id');
      return;
    case 'rating':
      await resolveRated(db, context, intent.parseRating(message));
      return;
    case 'support': {
      const orderId = intent.parseSupport(message).orderId;
      if (orderId) await resolveOrder(db, context, orderId, 'message.support.ref_id');
      return;
    }
  }
}

/**
 * The BAP's order a request is about: the id it names, or else the one its transaction made
 * (DENT's init, confirm and update often carry no id). 30010 when there is none of this BAP's.
 */
export async function resolveOrder(db: Database, context: BecknContext, orderId: string | undefined, path: string): Promise<BecknOrderRow> {
  const link = orderId
    ? await becknMessageRepository.findOrderLink(db, orderId)
    : await becknMessageRepository.findOrderOfTransaction(db, context.bap_id, context.transaction_id);
  if (!link || link.bapId !== context.bap_id) {
    throw new BecknRequestError(BecknErrorCode.orderNotFound, path, orderId ? `Order ${orderId} not found` : 'No order in this transaction');
  }
  return link;
}

/** A rating names the order (or, in DENT's example, the charger of the transaction's order). */
export async function resolveRated(db: Database, context: BecknContext, ratings: intent.BecknRatingRequest[]) {
  const byId = await becknMessageRepository.findOrderLink(db, ratings[0]!.id);
  if (byId && byId.bapId === context.bap_id) return byId;
  return resolveOrder(db, context, undefined, 'message.ratings[0].id');
}
