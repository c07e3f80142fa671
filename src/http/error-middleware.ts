import type { Context, Next } from 'koa';
import { isAppError, type AppErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';

export const HTTP_STATUS: Record<AppErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNPROCESSABLE: 422,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PASSWORD_CHANGE_REQUIRED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  CHARGER_OFFLINE: 409,
  CHARGER_REJECTED: 422,
  CHARGER_ERROR: 502,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  CHARGER_TIMEOUT: 504,
};

export interface ErrorBody {
  status: number;
  code: AppErrorCode | 'INTERNAL_ERROR' | 'PAYLOAD_INVALID' | 'METHOD_NOT_ALLOWED';
  message: string;
  details?: unknown;
}

/** Each API family renders errors in its own envelope (see envelopeByPath). */
export type ErrorEnvelope = (error: ErrorBody) => unknown;

/**
 * Chooses the error envelope by path prefix, before anything can fail (the body parser included):
 * the one table that maps API families to their envelopes.
 */
export function envelopeByPath(table: ReadonlyArray<readonly [prefix: string, envelope: ErrorEnvelope]>) {
  return async (ctx: Context, next: Next) => {
    const match = table.find(([prefix]) => ctx.path.startsWith(prefix));
    if (match) ctx.state.errorEnvelope = match[1];
    await next();
  };
}

export const defaultEnvelope: ErrorEnvelope = (e) => ({
  error: { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) },
});

/** The one error middleware at the top of the app: expected errors by code, the rest masked and logged. */
export function errorMiddleware(log: Logger) {
  return async (ctx: Context, next: Next) => {
    let body: ErrorBody | undefined;
    try {
      await next();
      // koa's default for a request no route took; a route that answers 404 itself sets a body.
      if (ctx.status === 404 && ctx.body == null && !(ctx as { _matchedRoute?: unknown })._matchedRoute) {
        body = { status: 404, code: 'NOT_FOUND', message: `No route for ${ctx.method} ${ctx.path}` };
      } else if (ctx.status === 405 && ctx.body == null) {
        // set by router.allowedMethods(), which also sets the Allow header
        body = { status: 405, code: 'METHOD_NOT_ALLOWED', message: `${ctx.method} is not allowed on ${ctx.path}` };
      }
    } catch (err) {
      if (isAppError(err)) {
        body = { status: HTTP_STATUS[err.code], code: err.code, message: err.message, details: err.details };
      } else if (isHttpClientError(err)) {
        // koa, router and bodyparser errors (malformed JSON, body too large, 405…): the client's fault.
        body = { status: err.status, code: CLIENT_ERROR_CODE[err.status] ?? 'PAYLOAD_INVALID', message: err.expose ? err.message : 'Invalid request' };
      } else {
        log.error({ err, method: ctx.method, path: ctx.path }, 'request failed');
        body = { status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error' };
      }
    }
    if (!body) return;
    const envelope = (ctx.state.errorEnvelope as ErrorEnvelope | undefined) ?? defaultEnvelope;
    ctx.status = body.status;
    ctx.body = envelope(body);
  };
}

const CLIENT_ERROR_CODE: Record<number, ErrorBody['code']> = {
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  429: 'RATE_LIMITED',
};

function isHttpClientError(err: unknown): err is { status: number; message: string; expose?: boolean } {
  const status = (err as { status?: unknown })?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
