import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Stored password hashes, self-describing so verifyPassword reads any of them:
 * - `scrypt$N$r$p$salt$hash` (base64url) for passwords a person chose, which may be weak: the slow KDF is
 *   what stands between a leaked table and a dictionary attack; the cost can be raised later without
 *   invalidating stored hashes.
 * - `sha256$hash` (base64url) for secrets this platform generated (generateChargerSecret: 192 random
 *   bits). No dictionary reaches them and 2^192 guesses stay out of reach at any hash speed, so a slow KDF
 *   adds no security; it would only cost milliseconds of CPU per charger at bulk registration (the CSV
 *   import) and at every reconnect of a fleet. The API client secrets are stored the same way.
 */
export interface PasswordCost {
  N: number;
  r: number;
  p: number;
}

/** For people's passwords (low entropy): the OWASP-recommended scrypt minimum. */
export const USER_PASSWORD_COST: PasswordCost = { N: 2 ** 15, r: 8, p: 1 };
/**
 * For charger passwords. The OCPP security whitepaper asks for 16–40 random characters, which no
 * dictionary attack reaches, and a whole fleet re-authenticates at once after an outage: a lighter cost.
 */
export const CHARGER_PASSWORD_COST: PasswordCost = { N: 2 ** 12, r: 8, p: 1 };

const KEY_LENGTH = 32;

function scrypt(password: string | Buffer, salt: Buffer, cost: PasswordCost): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string, cost: PasswordCost = USER_PASSWORD_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** False for a wrong password and for a stored value that is not a well-formed hash; never throws. */
export async function verifyPassword(password: string | Buffer, stored: string): Promise<boolean> {
  if (stored.startsWith(`${SHA256_SCHEME}$`)) return verifyDigest(password, stored);
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash || rest.length > 0) return false;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (!isValidCost(cost)) return false;
  const expected = Buffer.from(hash, 'base64url');
  if (expected.length !== KEY_LENGTH) return false;
  try {
    const actual = await scrypt(password, Buffer.from(salt, 'base64url'), cost);
    return timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

function isValidCost({ N, r, p }: PasswordCost): boolean {
  const positiveInt = (x: number) => Number.isSafeInteger(x) && x > 0;
  return positiveInt(N) && N > 1 && (N & (N - 1)) === 0 && N <= 2 ** 20 && positiveInt(r) && r <= 32 && positiveInt(p) && p <= 16;
}

/** A random password fit for a charger (OCPP security profile 1/2: 16–40 characters). */
export function generateChargerPassword(): string {
  return randomBytes(CHARGER_PASSWORD_BYTES).toString('base64url');
}

/** 192 bits: 32 base64url characters. */
const CHARGER_PASSWORD_BYTES = 24;

const SHA256_SCHEME = 'sha256';
const DIGEST_LENGTH = 32;

const sha256 = (secret: string | Buffer): Buffer => createHash('sha256').update(secret).digest();

export interface GeneratedSecret {
  /** Shown once, to the owner; never stored. */
  password: string;
  /** `sha256$…`, for the database. */
  hash: string;
}

/**
 * A new charger password (as generateChargerPassword) with its fast `sha256$` hash. The fast format
 * is only offered together with a secret generated here: a password someone chose goes through
 * hashPassword (scrypt).
 */
export function generateChargerSecret(): GeneratedSecret {
  return generateChargerSecrets(1)[0]!;
}

/** `count` of generateChargerSecret, from one draw of random bytes (one call per secret costs more than the hashing). */
export function generateChargerSecrets(count: number): GeneratedSecret[] {
  const random = randomBytes(CHARGER_PASSWORD_BYTES * count);
  return Array.from({ length: count }, (_, i) => {
    const password = random.toString('base64url', i * CHARGER_PASSWORD_BYTES, (i + 1) * CHARGER_PASSWORD_BYTES);
    return { password, hash: `${SHA256_SCHEME}$${sha256(password).toString('base64url')}` };
  });
}

function verifyDigest(password: string | Buffer, stored: string): boolean {
  const [, hash, ...rest] = stored.split('$');
  if (!hash || rest.length > 0) return false;
  const expected = Buffer.from(hash, 'base64url');
  if (expected.length !== DIGEST_LENGTH || expected.toString('base64url') !== hash) return false;
  return timingSafeEqual(sha256(password), expected);
}
