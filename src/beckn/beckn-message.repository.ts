import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { BecknCallbackTable, BecknOrderTable } from '../db/schema.ts';
import type { Insertable, Selectable } from 'kysely';

export type BecknCallbackRow = Selectable<BecknCallbackTable>;
export type BecknOrderRow = Selectable<BecknOrderTable>;

/** Records a received request; false when this BAP sent this message id before (a replay). */
export async function insertMessageOnce(
  db: Db,
  message: { bapId: string; messageId: string; action: string; transactionId: string; bapUri: string; payload: unknown },
): Promise<boolean> {
  const row = await db
    .insertInto('becknMessage')
    .values({ ...message, payload: JSON.stringify(message.payload) })
    .onConflict((oc) => oc.columns(['bapId', 'messageId']).doNothing())
    .returning('messageId')
    .executeTakeFirst();
  return Boolean(row);
}

export function findMessage(db: Db, bapId: string, messageId: string) {
  return db.selectFrom('becknMessage').selectAll().where('bapId', '=', bapId).where('messageId', '=', messageId).executeTakeFirst();
}

export function latestMessageOfTransaction(db: Db, bapId: string, transactionId: string) {
  return db
    .selectFrom('becknMessage')
    .selectAll()
    .where('bapId', '=', bapId)
    .where('transactionId', '=', transactionId)
    .orderBy('receivedAt', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function enqueueCallback(db: Db, callback: Insertable<BecknCallbackTable>): Promise<BecknCallbackRow> {
  return db.insertInto('becknCallback').values(callback).returningAll().executeTakeFirstOrThrow();
}

/**
 * Claims up to `limit` callbacks that are due, for `leaseMs`: another node (or a later tick) takes
 * them only once the lease runs out, so a node that dies mid-delivery loses nothing.
 */
export async function claimDue(db: Db, now: Date, leaseMs: number, limit: number): Promise<BecknCallbackRow[]> {
  const result = await sql<BecknCallbackRow>`
    update beckn_callback set next_attempt_at = ${new Date(now.getTime() + leaseMs)}
     where id in (
       select id from beckn_callback
        where status = 'pending' and next_attempt_at <= ${now}
        order by next_attempt_at, id
        limit ${limit}
        for update skip locked)
    returning id, action, bap_id as "bapId", bap_uri as "bapUri", transaction_id as "transactionId",
              message_id as "messageId", body, status, attempts, next_attempt_at as "nextAttemptAt",
              last_error as "lastError", last_status as "lastStatus", created_at as "createdAt", delivered_at as "deliveredAt"`.execute(db);
  return result.rows;
}

export async function setBody(db: Db, id: number, body: unknown): Promise<void> {
  await db.updateTable('becknCallback').set({ body: JSON.stringify(body) }).where('id', '=', id).execute();
}

export async function markDelivered(db: Db, id: number, httpStatus: number, at: Date): Promise<void> {
  await db
    .updateTable('becknCallback')
    .set((eb) => ({ status: 'delivered', deliveredAt: at, lastStatus: httpStatus, lastError: null, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export async function markAttemptFailed(
  db: Db,
  id: number,
  failure: { error: string; httpStatus: number | null; nextAttemptAt: Date | null },
): Promise<void> {
  await db
    .updateTable('becknCallback')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      lastError: failure.error.slice(0, 500),
      lastStatus: failure.httpStatus,
      ...(failure.nextAttemptAt ? { nextAttemptAt: failure.nextAttemptAt } : { status: 'failed' as const }),
    }))
    .where('id', '=', id)
    .execute();
}

export async function markSuperseded(db: Db, id: number): Promise<void> {
  await db.updateTable('becknCallback').set({ status: 'superseded' }).where('id', '=', id).execute();
}

export function listCallbacks(db: Db, transactionId: string) {
  return db.selectFrom('becknCallback').selectAll().where('transactionId', '=', transactionId).orderBy('id').execute();
}

export async function linkOrder(db: Db, link: { orderId: string; bapId: string; bapUri: string; transactionId: string }): Promise<void> {
  await db.insertInto('becknOrder').values(link).onConflict((oc) => oc.column('orderId').doNothing()).execute();
}

export function findOrderLink(db: Db, orderId: string): Promise<BecknOrderRow | undefined> {
  return db.selectFrom('becknOrder').selectAll().where('orderId', '=', orderId).executeTakeFirst();
}

/** The latest order a BAP made in one Beckn transaction (select creates it; init and confirm name none). */
export function findOrderOfTransaction(db: Db, bapId: string, transactionId: string): Promise<BecknOrderRow | undefined> {
  return db
    .selectFrom('becknOrder')
    .selectAll()
    .where('bapId', '=', bapId)
    .where('transactionId', '=', transactionId)
    .orderBy('createdAt', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function setParties(db: Db, orderId: string, parties: { billing?: unknown; customer?: unknown }): Promise<void> {
  await db
    .updateTable('becknOrder')
    .set({
      ...(parties.billing !== undefined ? { billing: JSON.stringify(parties.billing) } : {}),
      ...(parties.customer !== undefined ? { customer: JSON.stringify(parties.customer) } : {}),
    })
    .where('orderId', '=', orderId)
    .execute();
}

/** The CPO as a Beckn provider: "CC*PARTY" and its name. */
export async function providerOf(db: Db, cpoOwnerId: number): Promise<{ id: string; name: string }> {
  const row = await db.selectFrom('cpoOwner').select(['countryCode', 'partyId', 'name']).where('id', '=', cpoOwnerId).executeTakeFirstOrThrow();
  return { id: `${row.countryCode}*${row.partyId}`, name: row.name };
}

export async function setConfirmPending(db: Db, orderId: string, messageId: string | null): Promise<void> {
  await db.updateTable('becknOrder').set({ confirmMessageId: messageId }).where('orderId', '=', orderId).execute();
}

export interface NotifiedState {
  notifiedStatus: string;
  notifiedPaymentStatus: string;
  notifiedChargingStatus: string;
  open: boolean;
}

export async function markNotified(db: Db, orderId: string, state: NotifiedState): Promise<void> {
  await db.updateTable('becknOrder').set(state).where('orderId', '=', orderId).execute();
}

/**
 * Moves what the BAP was told from `told` to `state`, only if it is still `told`: of the nodes that
 * noticed the same change, one wins and tells it (false for the others).
 */
export async function claimNotified(
  db: Db,
  orderId: string,
  told: { status: string | null; payment: string | null; charging: string | null },
  state: NotifiedState,
): Promise<boolean> {
  const row = await db
    .updateTable('becknOrder')
    .set(state)
    .where('orderId', '=', orderId)
    .where('notifiedStatus', 'is not distinct from', told.status)
    .where('notifiedPaymentStatus', 'is not distinct from', told.payment)
    .where('notifiedChargingStatus', 'is not distinct from', told.charging)
    .returning('orderId')
    .executeTakeFirst();
  return Boolean(row);
}

/** Open Beckn orders whose state moved since the BAP was last told (the unsolicited callbacks' work). */
export function changedOpenOrders(db: Db, limit: number) {
  return db
    .selectFrom('becknOrder as b')
    .innerJoin('chargingOrder as o', 'o.id', 'b.orderId')
    .selectAll('b')
    .select(['o.status', 'o.paymentStatus', 'o.chargingStatus'])
    .where('b.open', '=', true)
    // Not while a request of the same transaction is being answered: its callback will tell.
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('becknCallback as c').select('c.id').whereRef('c.transactionId', '=', 'b.transactionId').where('c.status', '=', 'pending').where('c.body', 'is', null))))
    .where((eb) =>
      eb.or([
        eb('b.notifiedStatus', 'is', null),
        eb('b.notifiedStatus', '!=', eb.ref('o.status')),
        eb('b.notifiedPaymentStatus', '!=', eb.ref('o.paymentStatus')),
        eb('b.notifiedChargingStatus', '!=', eb.ref('o.chargingStatus')),
      ]))
    .orderBy('b.createdAt')
    .limit(limit)
    .execute();
}
