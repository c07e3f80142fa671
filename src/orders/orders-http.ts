import { randomUUID } from 'node:crypto';
import type { Context, Middleware, Next } from 'koa';
import * as clientToken from '../api-clients/api-client-token.ts';
import type { OrderClient } from '../charging-orders/order-deps.ts';
import type { Database } from '../db/database.ts';
import type { ApiClientRow } from '../db/schema.ts';
import { AppError, isAppError } from '../errors.ts';
import type { ErrorEnvelope } from '../http/error-middleware.ts';

// The driver order API's HTTP conventions (shared/spec/ev-charging-api-contract.md): Bearer client
// tokens, X-Transaction-Id echoed (or generated), X-Bpp-Id naming us, and errors as
// { error: { code, message, details } } with the contract's codes.

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

/** The contract's error body; the domain's own code, when more precise than the status, goes in details.reason. */
export const ordersErrorEnvelope: ErrorEnvelope = (e) => {
  const code = CODE_BY_STATUS[e.status] ?? (e.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST');
  const given = e.details !== undefined && e.details !== null && typeof e.details === 'object' && !Array.isArray(e.details) ? e.details : e.details !== undefined ? { issues: e.details } : {};
  const reason = code === e.code || CODE_BY_STATUS[e.status] === undefined ? {} : { reason: e.code };
  return { error: { code, message: e.message, details: { ...reason, ...given, timestamp: new Date().toISOString() } } };
};

// zod issue codes that mean "well-formed, but not an acceptable value" (422); the rest (a missing
// field, a wrong type, an unknown key) mean the request itself is malformed (400).
const VALUE_ISSUES = new Set(['too_small', 'too_big', 'invalid_format', 'invalid_value', 'not_multiple_of', 'custom']);

/**
 * Echoes X-Transaction-Id (or a new one) on every answer under `prefix`, errors included: mounted
 * before the body parser, so a malformed body's 400 carries it too.
 */
export function echoTransactionId(prefix: string): Middleware {
  return async (ctx: Context, next: Next) => {
    if (ctx.path.startsWith(prefix)) {
      const given = ctx.get('X-Transaction-Id').trim();
      ctx.state.transactionId = given && given.length <= 128 ? given : randomUUID();
      ctx.set('X-Transaction-Id', ctx.state.transactionId as string);
    }
    await next();
  };
}

/** Turns request-validation failures of values (not of shape) into 422. */
export function ordersConventions(): Middleware {
  return async (_ctx: Context, next: Next) => {
    try {
      await next();
    } catch (err) {
      if (isAppError(err) && err.code === 'VALIDATION_FAILED' && Array.isArray(err.details)) {
        const issues = err.details as Array<{ code?: string }>;
        if (issues.length > 0 && issues.every((i) => i.code !== undefined && VALUE_ISSUES.has(i.code))) {
          throw new AppError('UNPROCESSABLE', err.message, err.details);
        }
      }
      throw err;
    }
  };
}

/** `Authorization: Bearer <client token>` (POST /v1/auth/token): sets ctx.state.apiClient. */
export function requireClientToken(db: Database, options: clientToken.ClientTokenOptions): Middleware {
  return async (ctx: Context, next: Next) => {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(ctx.get('Authorization'));
    if (!match) {
      ctx.set('WWW-Authenticate', 'Bearer realm="orders"');
      throw new AppError('UNAUTHENTICATED', 'missing Authorization: Bearer <access token> header');
    }
    ctx.state.apiClient = await clientToken.verify(db, options, match[1]!);
    await next();
  };
}

/**
 * The headers every order endpoint but search requires: X-Transaction-Id (400 when absent) and
 * X-Bpp-Id, which must name this platform (404: the provider asked for is not here).
 */
export function requireOrderHeaders(bppId: string): Middleware {
  return async (ctx: Context, next: Next) => {
    if (!ctx.get('X-Transaction-Id').trim()) throw new AppError('VALIDATION_FAILED', 'header X-Transaction-Id is required');
    const asked = ctx.get('X-Bpp-Id').trim();
    if (!asked) throw new AppError('VALIDATION_FAILED', 'header X-Bpp-Id is required');
    if (asked !== bppId) throw new AppError('NOT_FOUND', `Unknown provider platform ${asked}; this is ${bppId}.`, { bpp_id: asked });
    await next();
  };
}

export function orderClientOf(ctx: Context): OrderClient {
  const client = ctx.state.apiClient as ApiClientRow | undefined;
  if (!client) throw new Error('orderClientOf() called on a route without requireClientToken()');
  return { apiClientId: client.id, channel: 'rest', externalRef: ctx.state.transactionId as string };
}
