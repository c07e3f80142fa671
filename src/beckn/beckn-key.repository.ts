import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db, Tx } from '../db/database.ts';
import type { BecknSigningKeyTable, BecknSubscriberTable } from '../db/schema.ts';

// Our own signing keys (beckn_signing_key) and the local registry of other subscribers' keys
// (beckn_subscriber).

export type SigningKeyRow = Selectable<BecknSigningKeyTable>;
export type SubscriberRow = Selectable<BecknSubscriberTable>;
export type NewSigningKey = Pick<Insertable<BecknSigningKeyTable>, 'keyId' | 'subscriberId' | 'publicKey' | 'privateKey'>;
export type NewSubscriber = Omit<Insertable<BecknSubscriberTable>, 'createdAt'>;

// Any constant shared by the nodes will do; it only has to differ from other advisory locks of the app.
const KEY_GENERATION_LOCK = 0x6265636b6e; // "beckn"

/** Serialises first-start key generation across nodes until the transaction ends. */
export async function lockKeyGeneration(tx: Tx): Promise<void> {
  await sql`select pg_advisory_xact_lock(${KEY_GENERATION_LOCK})`.execute(tx);
}

export function findSigningKey(db: Db, keyId: string): Promise<SigningKeyRow | undefined> {
  return db.selectFrom('becknSigningKey').selectAll().where('keyId', '=', keyId).executeTakeFirst();
}

/** The key that signs: the newest active one (ties broken by key id, so every node picks the same). */
export function findNewestActiveSigningKey(db: Db, subscriberId: string): Promise<SigningKeyRow | undefined> {
  return db
    .selectFrom('becknSigningKey')
    .selectAll()
    .where('subscriberId', '=', subscriberId)
    .where('active', '=', true)
    .orderBy('createdAt', 'desc')
    .orderBy('keyId', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Public halves of our active keys, newest first (what a registry or a BAP needs to know). */
export function listActivePublicKeys(db: Db, subscriberId: string): Promise<Pick<SigningKeyRow, 'keyId' | 'publicKey' | 'createdAt'>[]> {
  return db
    .selectFrom('becknSigningKey')
    .select(['keyId', 'publicKey', 'createdAt'])
    .where('subscriberId', '=', subscriberId)
    .where('active', '=', true)
    .orderBy('createdAt', 'desc')
    .orderBy('keyId', 'desc')
    .execute();
}

export async function insertSigningKeyIfAbsent(db: Db, key: NewSigningKey): Promise<void> {
  await db.insertInto('becknSigningKey').values(key).onConflict((oc) => oc.column('keyId').doNothing()).execute();
}

/** Stores a configured key; a changed seed under the same id replaces the old one and is made active again. */
export async function upsertSigningKey(db: Db, key: NewSigningKey): Promise<SigningKeyRow> {
  return db
    .insertInto('becknSigningKey')
    .values({ ...key, active: true })
    .onConflict((oc) =>
      oc.column('keyId').doUpdateSet({
        subscriberId: key.subscriberId,
        publicKey: key.publicKey,
        privateKey: key.privateKey,
        active: true,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findSubscriber(db: Db, subscriberId: string, keyId: string): Promise<SubscriberRow | undefined> {
  return db
    .selectFrom('becknSubscriber')
    .selectAll()
    .where('subscriberId', '=', subscriberId)
    .where('keyId', '=', keyId)
    .executeTakeFirst();
}

export function upsertSubscriber(db: Db, subscriber: NewSubscriber): Promise<SubscriberRow> {
  const { subscriberId: _id, keyId: _key, ...changes } = subscriber;
  return db
    .insertInto('becknSubscriber')
    .values(subscriber)
    .onConflict((oc) => oc.columns(['subscriberId', 'keyId']).doUpdateSet(changes))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteSubscriber(db: Db, subscriberId: string, keyId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('becknSubscriber')
    .where('subscriberId', '=', subscriberId)
    .where('keyId', '=', keyId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
