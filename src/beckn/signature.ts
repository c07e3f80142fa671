import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

// Beckn HTTP signatures (BECKN-006, a profile of draft-cavage-http-signatures-12): the body's
// BLAKE2b-512 digest and the (created)/(expires) window are signed with ed25519; the header carries
// "{subscriber_id}|{unique_key_id}|ed25519" so the receiver can look the public key up in a registry.
// Keys travel as base64 of the raw 32-byte values, the registry's format.

export const SIGNATURE_ALGORITHM = 'ed25519';
export const SIGNED_HEADERS = '(created) (expires) digest';
/** Lifetime of a signature we create when the caller gives no `expires`; long enough for a slow network, short enough to limit replays. */
export const DEFAULT_SIGNATURE_TTL_SECONDS = 300;
/** Tolerated difference between the sender's clock and ours, either way. */
export const CLOCK_SKEW_SECONDS = 5;

export type SignatureFailure = 'malformed' | 'expired' | 'not_yet_valid' | 'bad_signature' | 'unsupported_algorithm' | 'invalid_key';

/** A header we cannot use; `reason` is 'malformed' or 'unsupported_algorithm'. */
export class SignatureHeaderError extends Error {
  constructor(
    readonly reason: Extract<SignatureFailure, 'malformed' | 'unsupported_algorithm'>,
    message: string,
  ) {
    super(message);
    this.name = 'SignatureHeaderError';
  }
}

export interface ParsedSignature {
  subscriberId: string;
  keyId: string;
  algorithm: string;
  /** Unix seconds. */
  created: number;
  expires: number;
  headers: string;
  /** base64 of the 64-byte ed25519 signature. */
  signature: string;
}

export type VerifyResult =
  | { ok: true; signature: ParsedSignature }
  | { ok: false; reason: SignatureFailure; message: string; signature?: ParsedSignature };

export interface KeyPair {
  /** base64 raw 32-byte ed25519 public key. */
  publicKey: string;
  /** base64 raw 32-byte ed25519 seed. */
  privateKey: string;
}

// DER encodings of ed25519 keys are a fixed prefix + the raw 32 bytes (RFC 8410): PKCS#8 for the seed
// (JWK import would need the public half too), SubjectPublicKeyInfo for the public key.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function digestOf(body: string | Buffer): string {
  return `BLAKE-512=${createHash('blake2b512').update(body).digest('base64')}`;
}

export function signingString(created: number, expires: number, digest: string): string {
  return `(created): ${created}\n(expires): ${expires}\ndigest: ${digest}`;
}

const decodeBase64 = (value: string): Buffer | undefined =>
  /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? Buffer.from(value, 'base64') : undefined;

/**
 * The private key from its base64 seed. A 64-byte libsodium secret key (seed ‖ public key, as in the
 * BECKN-006 example) is accepted too: its first half is the seed.
 */
export function privateKeyObject(privateKey: string): KeyObject {
  const raw = decodeBase64(privateKey.trim());
  if (!raw || (raw.length !== 32 && raw.length !== 64)) throw new TypeError('ed25519 private key must be base64 of a 32-byte seed');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
}

/** The public key from base64 raw 32 bytes (or a base64 DER SubjectPublicKeyInfo, which some registries hand out). */
export function publicKeyObject(publicKey: string): KeyObject {
  let raw = decodeBase64(publicKey.trim());
  if (raw && raw.length === SPKI_PREFIX.length + 32 && raw.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) {
    raw = raw.subarray(SPKI_PREFIX.length);
  }
  if (!raw || raw.length !== 32) throw new TypeError('ed25519 public key must be base64 of 32 bytes');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

const rawPublicKey = (key: KeyObject): string =>
  Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url').toString('base64');

/** The base64 raw public key belonging to a base64 seed. */
export function publicKeyOf(privateKey: string): string {
  return rawPublicKey(createPublicKey(privateKeyObject(privateKey)));
}

export function generateKeyPair(): KeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    publicKey: Buffer.from(jwk.x as string, 'base64url').toString('base64'),
    privateKey: Buffer.from(jwk.d as string, 'base64url').toString('base64'),
  };
}

export interface SignRequestInput {
  body: string | Buffer;
  subscriberId: string;
  keyId: string;
  /** base64 seed. */
  privateKey: string;
  /** Unix seconds; default now. */
  created?: number;
  /** Unix seconds; default created + DEFAULT_SIGNATURE_TTL_SECONDS. */
  expires?: number;
}

/** The Authorization header value for a request (or callback) with exactly this body. */
export function signRequest(input: SignRequestInput): string {
  const created = input.created ?? Math.floor(Date.now() / 1000);
  const expires = input.expires ?? created + DEFAULT_SIGNATURE_TTL_SECONDS;
  const text = signingString(created, expires, digestOf(input.body));
  const signature = sign(null, Buffer.from(text, 'utf8'), privateKeyObject(input.privateKey)).toString('base64');
  return (
    `Signature keyId="${input.subscriberId}|${input.keyId}|${SIGNATURE_ALGORITHM}",algorithm="${SIGNATURE_ALGORITHM}",` +
    `created="${created}",expires="${expires}",headers="${SIGNED_HEADERS}",signature="${signature}"`
  );
}

const PARAM = /^\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([^\s",]+))\s*(?:,|$)/;
const REQUIRED = ['keyId', 'algorithm', 'created', 'expires', 'headers', 'signature'] as const;

/** Parses a `Signature keyId="…",…` value; throws SignatureHeaderError. */
export function parseSignatureHeader(header: string): ParsedSignature {
  const malformed = (message: string) => new SignatureHeaderError('malformed', message);
  const scheme = /^\s*Signature\s+/i.exec(header);
  if (!scheme) throw malformed('the scheme is not "Signature"');
  const params = new Map<string, string>();
  let rest = header.slice(scheme[0].length);
  while (rest.trim() !== '') {
    const match = PARAM.exec(rest);
    if (!match) throw malformed('unreadable signature parameters');
    const name = match[1]!;
    if (params.has(name)) throw malformed(`parameter ${name} is given twice`);
    params.set(name, match[2] ?? match[3]!);
    rest = rest.slice(match[0].length);
  }
  for (const name of REQUIRED) if (!params.get(name)) throw malformed(`parameter ${name} is missing`);
  const get = (name: (typeof REQUIRED)[number]) => params.get(name)!;

  const keyParts = get('keyId').split('|');
  if (keyParts.length !== 3 || keyParts.some((p) => p === '')) {
    throw malformed('keyId must be "{subscriber_id}|{unique_key_id}|{algorithm}"');
  }
  const [subscriberId, keyId, keyAlgorithm] = keyParts as [string, string, string];
  const algorithm = get('algorithm');
  if (algorithm !== keyAlgorithm) throw malformed('the algorithm of keyId and the algorithm parameter differ');
  if (algorithm !== SIGNATURE_ALGORITHM) throw new SignatureHeaderError('unsupported_algorithm', `algorithm ${algorithm} is not supported`);

  const seconds = (name: 'created' | 'expires'): number => {
    const value = get(name);
    if (!/^\d{1,12}$/.test(value)) throw malformed(`${name} must be a Unix timestamp in seconds`);
    return Number(value);
  };
  const created = seconds('created');
  const expires = seconds('expires');
  if (expires < created) throw malformed('expires is before created');

  // The signing string is fixed by BECKN-006; a header naming other fields was signed over something else.
  const headers = get('headers').trim().split(/\s+/).join(' ');
  if (headers !== SIGNED_HEADERS) throw malformed(`headers must be "${SIGNED_HEADERS}"`);

  const signature = get('signature');
  const raw = decodeBase64(signature);
  if (!raw || raw.length !== 64) throw malformed('signature must be base64 of 64 bytes');

  return { subscriberId, keyId, algorithm, created, expires, headers, signature };
}

export interface VerifyRequestInput {
  header: string | undefined;
  /** The body exactly as received: a re-serialised JSON object would not match the digest. */
  body: string | Buffer;
  /** base64 raw 32-byte ed25519 public key of the sender. */
  publicKey: string;
  now?: Date;
  /** Tolerated clock difference in seconds (default CLOCK_SKEW_SECONDS). */
  skewSeconds?: number;
}

export function verifyRequest(input: VerifyRequestInput): VerifyResult {
  let parsed: ParsedSignature;
  try {
    if (!input.header) return { ok: false, reason: 'malformed', message: 'no signature header' };
    parsed = parseSignatureHeader(input.header);
  } catch (err) {
    if (err instanceof SignatureHeaderError) return { ok: false, reason: err.reason, message: err.message };
    throw err;
  }
  const fail = (reason: SignatureFailure, message: string): VerifyResult => ({ ok: false, reason, message, signature: parsed });

  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const skew = input.skewSeconds ?? CLOCK_SKEW_SECONDS;
  if (parsed.created > now + skew) return fail('not_yet_valid', 'the signature was created in the future');
  if (parsed.expires < now - skew) return fail('expired', 'the signature has expired');

  let key: KeyObject;
  try {
    key = publicKeyObject(input.publicKey);
  } catch {
    return fail('invalid_key', 'the public key on record is not an ed25519 key');
  }
  const text = signingString(parsed.created, parsed.expires, digestOf(input.body));
  const valid = verify(null, Buffer.from(text, 'utf8'), key, Buffer.from(parsed.signature, 'base64'));
  return valid ? { ok: true, signature: parsed } : fail('bad_signature', 'the signature does not match the body and key');
}
