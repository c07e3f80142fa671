import type { Generated } from 'kysely';
import type { DefaultTimestamp, Json, Timestamp } from './column-types.ts';

// The Beckn BPP: signing keys, the local registry, received messages, owed callbacks, BAP orders.

export interface BecknSigningKeyTable {
  keyId: string;
  subscriberId: string;
  /** base64 of the raw 32-byte ed25519 public key (the registry's format). */
  publicKey: string;
  /** base64 of the raw 32-byte ed25519 seed. */
  privateKey: string;
  active: Generated<boolean>;
  createdAt: DefaultTimestamp;
}

export interface BecknSubscriberTable {
  subscriberId: string;
  keyId: string;
  type: Generated<'BAP' | 'BPP' | 'BG'>;
  subscriberUrl: string | null;
  domain: string | null;
  /** base64 raw 32-byte ed25519 public key. */
  publicKey: string;
  status: Generated<string>;
  validFrom: Timestamp | null;
  validUntil: Timestamp | null;
  createdAt: DefaultTimestamp;
}

export interface BecknMessageTable {
  bapId: string;
  messageId: string;
  action: string;
  transactionId: string;
  bapUri: string;
  payload: Json;
  receivedAt: DefaultTimestamp;
}

/** superseded: an answer that is sent later by itself (on_confirm once the payment is in). */
export type BecknCallbackStatus = 'pending' | 'delivered' | 'failed' | 'superseded';

export interface BecknCallbackTable {
  id: Generated<number>;
  action: string;
  bapId: string;
  bapUri: string;
  transactionId: string;
  messageId: string;
  body: Json | null;
  status: Generated<BecknCallbackStatus>;
  attempts: Generated<number>;
  nextAttemptAt: DefaultTimestamp;
  lastError: string | null;
  lastStatus: number | null;
  createdAt: DefaultTimestamp;
  deliveredAt: Timestamp | null;
}

export interface BecknOrderTable {
  orderId: string;
  bapId: string;
  bapUri: string;
  transactionId: string;
  confirmMessageId: string | null;
  billing: Json | null;
  customer: Json | null;
  notifiedStatus: string | null;
  notifiedPaymentStatus: string | null;
  notifiedChargingStatus: string | null;
  open: Generated<boolean>;
  createdAt: DefaultTimestamp;
}
