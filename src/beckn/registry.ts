import type { Db } from '../db/database.ts';
import { AppError } from '../errors.ts';
import * as becknKeyRepository from './beckn-key.repository.ts';
import { parseSignatureHeader, publicKeyObject, SignatureHeaderError, verifyRequest, type ParsedSignature, type SignatureFailure } from './signature.ts';

// Where a sender's public key comes from: the local beckn_subscriber table first (the default
// registry, maintained by the operator), then — when BECKN_REGISTRY_URL is set — a Beckn registry's
// /lookup, whose answers are cached for a while (refusals briefly, so a wrong key id sent in a loop
// does not become a loop of registry calls).

export type SubscriberType = 'BAP' | 'BPP' | 'BG';

export interface SubscriberKey {
  /** base64 raw 32-byte ed25519 public key. */
  publicKey: string;
  subscriberUrl: string | undefined;
  type: SubscriberType;
  validUntil: Date | undefined;
}

export interface Registry {
  /** The key, or undefined when no registry knows it; throws AppError UNAVAILABLE when the remote registry cannot be asked. */
  lookup(subscriberId: string, keyId: string): Promise<SubscriberKey | undefined>;
}

export interface RegistryOptions {
  db: Db;
  registryUrl?: string | undefined;
  fetch?: typeof fetch;
  /** How long a remote answer is kept (default 5 min; never past the key's valid_until). */
  cacheTtlMs?: number;
  /** How long a remote "unknown" is kept (default 30 s). */
  negativeCacheTtlMs?: number;
  /** Per remote call (default 5 s). */
  timeoutMs?: number;
  now?: () => Date;
}

const MAX_CACHE_ENTRIES = 1_000;
const TYPES: readonly SubscriberType[] = ['BAP', 'BPP', 'BG'];
const asType = (value: unknown): SubscriberType => (TYPES.includes(value as SubscriberType) ? (value as SubscriberType) : 'BAP');

const isUsableKey = (publicKey: string): boolean => {
  try {
    publicKeyObject(publicKey);
    return true;
  } catch {
    return false;
  }
};

export function createRegistry(options: RegistryOptions): Registry {
  const { db } = options;
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  const ttl = options.cacheTtlMs ?? 300_000;
  const negativeTtl = options.negativeCacheTtlMs ?? 30_000;
  const registryUrl = options.registryUrl?.replace(/\/+$/, '');
  const cache = new Map<string, { value: SubscriberKey | undefined; expiresAt: number }>();

  async function fromTable(subscriberId: string, keyId: string): Promise<SubscriberKey | undefined> {
    const row = await becknKeyRepository.findSubscriber(db, subscriberId, keyId);
    const at = now();
    if (!row || row.status !== 'SUBSCRIBED') return undefined;
    if ((row.validFrom && row.validFrom > at) || (row.validUntil && row.validUntil <= at)) return undefined;
    return { publicKey: row.publicKey, subscriberUrl: row.subscriberUrl ?? undefined, type: asType(row.type), validUntil: row.validUntil ?? undefined };
  }

  async function fromRegistry(url: string, subscriberId: string, keyId: string): Promise<SubscriberKey | undefined> {
    let answer: unknown;
    try {
      const res = await doFetch(`${url}/lookup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ subscriber_id: subscriberId, ukId: keyId }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`the registry answered ${res.status}`);
      answer = await res.json();
    } catch (err) {
      throw new AppError('UNAVAILABLE', 'the Beckn registry could not be reached', { cause: (err as Error).message });
    }
    const at = now();
    const entries = Array.isArray(answer) ? answer : [];
    for (const entry of entries as Record<string, unknown>[]) {
      if (typeof entry !== 'object' || entry === null || entry.subscriber_id !== subscriberId) continue;
      // Registries name the key id ukId, unique_key_id or key_id; one that names none answered our filtered query.
      const entryKeyId = entry.ukId ?? entry.unique_key_id ?? entry.key_id;
      if (entryKeyId !== undefined && entryKeyId !== keyId) continue;
      if (entry.status !== undefined && entry.status !== 'SUBSCRIBED') continue;
      const publicKey = entry.signing_public_key;
      if (typeof publicKey !== 'string' || !isUsableKey(publicKey)) continue;
      const validFrom = typeof entry.valid_from === 'string' ? new Date(entry.valid_from) : undefined;
      const validUntil = typeof entry.valid_until === 'string' ? new Date(entry.valid_until) : undefined;
      if (validFrom && validFrom > at) continue;
      if (validUntil && !(validUntil > at)) continue;
      return {
        publicKey,
        subscriberUrl: typeof entry.subscriber_url === 'string' ? entry.subscriber_url : undefined,
        type: asType(entry.type),
        validUntil,
      };
    }
    return undefined;
  }

  function remember(key: string, value: SubscriberKey | undefined): void {
    const at = now().getTime();
    let expiresAt = at + (value ? ttl : negativeTtl);
    if (value?.validUntil) expiresAt = Math.min(expiresAt, value.validUntil.getTime());
    if (cache.size >= MAX_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(key, { value, expiresAt });
  }

  return {
    async lookup(subscriberId, keyId) {
      const local = await fromTable(subscriberId, keyId);
      if (local || !registryUrl) return local;
      const key = `${subscriberId}|${keyId}`;
      const hit = cache.get(key);
      if (hit && hit.expiresAt > now().getTime()) return hit.value;
      const value = await fromRegistry(registryUrl, subscriberId, keyId);
      remember(key, value);
      return value;
    },
  };
}

export interface SubscriberRegistration {
  subscriberId: string;
  keyId: string;
  publicKey: string;
  type?: SubscriberType;
  subscriberUrl?: string | null;
  domain?: string | null;
  status?: string;
  validFrom?: Date | null;
  validUntil?: Date | null;
}

/** Adds or replaces an entry of the local registry; every field left out is reset to its default. */
export async function registerSubscriber(db: Db, entry: SubscriberRegistration): Promise<becknKeyRepository.SubscriberRow> {
  if (!isUsableKey(entry.publicKey)) throw new AppError('VALIDATION_FAILED', 'publicKey must be base64 of a 32-byte ed25519 public key');
  if (entry.type && !TYPES.includes(entry.type)) throw new AppError('VALIDATION_FAILED', 'type must be BAP, BPP or BG');
  return becknKeyRepository.upsertSubscriber(db, {
    subscriberId: entry.subscriberId,
    keyId: entry.keyId,
    publicKey: entry.publicKey,
    type: entry.type ?? 'BAP',
    subscriberUrl: entry.subscriberUrl ?? null,
    domain: entry.domain ?? null,
    status: entry.status ?? 'SUBSCRIBED',
    validFrom: entry.validFrom ?? null,
    validUntil: entry.validUntil ?? null,
  });
}

export type AuthenticationResult =
  | { ok: true; signature: ParsedSignature; subscriber: SubscriberKey }
  | { ok: false; reason: SignatureFailure | 'unknown_key'; message: string; signature?: ParsedSignature };

/**
 * Checks an Authorization header end to end: parse, look the key up, verify the exact body.
 * Throws only AppError UNAVAILABLE (a remote registry that cannot be asked); every refusal is a result.
 */
export async function authenticateRequest(
  registry: Registry,
  input: { header: string | undefined; body: string | Buffer; now?: Date },
): Promise<AuthenticationResult> {
  let signature: ParsedSignature;
  try {
    if (!input.header) return { ok: false, reason: 'malformed', message: 'no Authorization header' };
    signature = parseSignatureHeader(input.header);
  } catch (err) {
    if (err instanceof SignatureHeaderError) return { ok: false, reason: err.reason, message: err.message };
    throw err;
  }
  const subscriber = await registry.lookup(signature.subscriberId, signature.keyId);
  if (!subscriber) {
    return { ok: false, reason: 'unknown_key', message: `no registered key ${signature.keyId} of ${signature.subscriberId}`, signature };
  }
  const result = verifyRequest({ header: input.header, body: input.body, publicKey: subscriber.publicKey, ...(input.now ? { now: input.now } : {}) });
  return result.ok ? { ok: true, signature, subscriber } : { ...result, signature };
}
