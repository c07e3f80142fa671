import type { Context, Next } from 'koa';
import { isAppError, type AppErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';

export const HTTP_STATUS: Record<AppErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  CHARGER_OFFLINE: 409,
  CHARGER_REJECTED: 422,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  CHARGER_TIMEOUT: 504,
};

export interface ErrorBody {
  status: number;
  code: AppErrorCode | 'NOT_FOUND' | 'INTERNAL_ERROR' | 'PAYLOAD_INVALID';
  message: string;
  details?: unknown;
}

/** Each API family renders errors in its own envelope; a router sets `ctx.state.errorEnvelope`. */
export type ErrorEnvelope = (error: ErrorBody) => unknown;

export const defaultEnvelope: ErrorEnvelope = (e) => ({
  error: { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) },
});

/** The one error middleware at the top of the app: expected errors by code, the rest masked and logged. */
export function errorMiddleware(log: Logger) {
  return async (ctx: Context, next: Next) => {
    let body: ErrorBody | undefined;
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        body = { status: 404, code: 'NOT_FOUND', message: `No route for ${ctx.method} ${ctx.path}` };
      }
    } catch (err) {
      if (isAppError(err)) {
        body = { status: HTTP_STATUS[err.code], code: err.code, message: err.message, details: err.details };
      } else if (isHttpClientError(err)) {
        // koa/bodyparser errors (malformed JSON, body too large): the client's fault, safe to describe.
        body = { status: err.status, code: 'PAYLOAD_INVALID', message: err.expose ? err.message : 'Invalid request' };
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

function isHttpClientError(err: unknown): err is { status: number; message: string; expose?: boolean } {
  const status = (err as { status?: unknown })?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
