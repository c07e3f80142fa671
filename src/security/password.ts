import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt password hashes, self-describing: `scrypt$N$r$p$salt$hash` (base64url), so the cost can be
 * raised later without invalidating stored hashes.
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
  return randomBytes(24).toString('base64url');
}
