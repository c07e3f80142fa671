import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.ts';

// `X-Gateway-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` — the
// Stripe scheme: the timestamp inside the MAC stops replays of old deliveries, and the raw bytes (not
// re-serialised JSON) are what is signed, so no parser can change what was verified.

export const SIGNATURE_HEADER = 'x-gateway-signature';

/** The header value for `body` signed at unix time `t`; the simulator and tests sign with this too. */
export function signWebhook(secret: string, body: string, t: number): string {
  return `t=${t},v1=${mac(secret, t, body).toString('hex')}`;
}

/** Throws AppError UNAUTHENTICATED unless `header` signs `rawBody` with `secret` within `toleranceS` of `now`. */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  rawBody: Buffer | string,
  now: Date,
  toleranceS: number,
): void {
  if (!header) throw new AppError('UNAUTHENTICATED', 'missing webhook signature');
  const parsed = parseHeader(header);
  if (!parsed) throw new AppError('UNAUTHENTICATED', 'malformed webhook signature');
  const ageS = now.getTime() / 1000 - parsed.t;
  if (Math.abs(ageS) > toleranceS) {
    throw new AppError('UNAUTHENTICATED', 'webhook signature timestamp outside the tolerance');
  }
  const expected = mac(secret, parsed.t, rawBody);
  // Several v1 values are allowed so a gateway can sign with an old and a new secret while rotating.
  const ok = parsed.v1.some((hex) => {
    const given = Buffer.from(hex, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new AppError('UNAUTHENTICATED', 'webhook signature mismatch');
}

function mac(secret: string, t: number, body: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest();
}

function parseHeader(header: string): { t: number; v1: string[] } | undefined {
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || t !== undefined) return undefined;
      t = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/i.test(value)) return undefined;
      v1.push(value);
    }
    // Other schemes (v0, future v2) are skipped, as Stripe's clients do.
  }
  return t === undefined || v1.length === 0 ? undefined : { t, v1 };
}
