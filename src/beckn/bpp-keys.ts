import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { ConfigError } from '../config.ts';
import type { Database, Db } from '../db/database.ts';
import * as becknKeyRepository from './beckn-key.repository.ts';
import { generateKeyPair, publicKeyOf } from './signature.ts';

// Which key signs our requests and callbacks. The configured one wins (and is stored, so its public
// half is listed with the others); otherwise the newest active key of the table; on a fresh database
// one is generated — under an advisory lock, so nodes starting together agree on a single key.

export interface BppSigningKey {
  subscriberId: string;
  keyId: string;
  /** base64 raw 32-byte seed. */
  privateKey: string;
  /** base64 raw 32-byte public key. */
  publicKey: string;
}

type BecknKeyConfig = Pick<Config['beckn'], 'subscriberId' | 'keyId' | 'privateKey'>;

const toKey = (row: becknKeyRepository.SigningKeyRow): BppSigningKey => ({
  subscriberId: row.subscriberId,
  keyId: row.keyId,
  privateKey: row.privateKey,
  publicKey: row.publicKey,
});

/** `key-20261201-3f9a1c2e`: sortable by day, unique by its random part. */
export function newKeyId(now = new Date()): string {
  return `key-${now.toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;
}

export async function loadSigningKey(db: Database, config: BecknKeyConfig): Promise<BppSigningKey> {
  const { subscriberId } = config;
  if (config.keyId && config.privateKey) {
    let publicKey: string;
    try {
      publicKey = publicKeyOf(config.privateKey);
    } catch {
      throw new ConfigError('BECKN_PRIVATE_KEY is not a base64 ed25519 seed');
    }
    const row = await becknKeyRepository.upsertSigningKey(db, { keyId: config.keyId, subscriberId, publicKey, privateKey: config.privateKey });
    return toKey(row);
  }
  if (config.keyId) {
    // Only an id: it names one of the stored keys (a rotation back to an older key, say).
    const row = await becknKeyRepository.findSigningKey(db, config.keyId);
    if (!row || !row.active || row.subscriberId !== subscriberId) {
      throw new ConfigError(`BECKN_KEY_ID ${config.keyId} is not an active signing key of ${subscriberId}`);
    }
    return toKey(row);
  }

  const existing = await becknKeyRepository.findNewestActiveSigningKey(db, subscriberId);
  if (existing) return toKey(existing);

  return db.transaction().execute(async (tx) => {
    await becknKeyRepository.lockKeyGeneration(tx);
    const created = await becknKeyRepository.findNewestActiveSigningKey(tx, subscriberId);
    if (created) return toKey(created); // another node generated it while we waited
    const pair = generateKeyPair();
    await becknKeyRepository.insertSigningKeyIfAbsent(tx, { keyId: newKeyId(), subscriberId, ...pair });
    const row = await becknKeyRepository.findNewestActiveSigningKey(tx, subscriberId);
    if (!row) throw new Error('the generated Beckn signing key was not stored');
    return toKey(row);
  });
}

/** Public halves of our active keys, newest first. */
export async function listPublicKeys(db: Db, subscriberId: string): Promise<{ keyId: string; publicKey: string; createdAt: Date }[]> {
  return becknKeyRepository.listActivePublicKeys(db, subscriberId);
}
