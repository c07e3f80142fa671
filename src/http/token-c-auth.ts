import type { Context, Next } from 'koa';
import type { Database } from '../db/database.ts';
import type { CpoOwnerRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { authenticateTokenC } from '../locations/token-c.service.ts';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Koa middleware for the CPO webhooks (`Authorization: Bearer <token C>`) on routes with
 * `:country_code` and `:party_id`: the token must be that party's. 401 without a known token, 403 for
 * another party's. Sets ctx.state.cpoOwner. Mount it on the route's path (router.use(path, …)) so the
 * path parameters are known, and before the body is validated.
 */
export function requireTokenC(db: Database) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const header = ctx.get('Authorization');
    const match = header ? BEARER.exec(header) : null;
    if (!match) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new AppError('UNAUTHENTICATED', header ? 'Authorization header must be "Bearer <token C>"' : 'missing Authorization: Bearer <token C> header');
    }
    const params = ctx.params as { country_code?: string; party_id?: string } | undefined;
    if (!params?.country_code || !params.party_id) throw new Error('requireTokenC() mounted on a path without :country_code/:party_id');
    try {
      ctx.state.cpoOwner = await authenticateTokenC(db, match[1]!, { countryCode: params.country_code, partyId: params.party_id });
    } catch (err) {
      if (err instanceof AppError && err.code === 'UNAUTHENTICATED') ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw err;
    }
    await next();
  };
}

/** The CPO owner whose token C authenticated the request; only valid behind requireTokenC. */
export function currentCpoOwner(ctx: Context): CpoOwnerRow {
  const owner = ctx.state.cpoOwner as CpoOwnerRow | undefined;
  if (!owner) throw new Error('currentCpoOwner() called on a route without requireTokenC()');
  return owner;
}
