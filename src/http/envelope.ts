import type { Context } from 'koa';
import type { ZodType } from 'zod';
import type { ErrorEnvelope } from './error-middleware.ts';
import { z } from './openapi.ts';

/**
 * The `{ status, data, message }` envelope of the CPO/operator APIs (shared/spec/emsp-v2-cpo-api.md),
 * for answers and errors alike. `message` is 'Success' unless the spec gives an endpoint another one.
 */
export function ok(ctx: Context, data: unknown, status = 200, message = 'Success'): void {
  ctx.status = status;
  ctx.body = { status, data, message };
}

export const cpoErrorEnvelope: ErrorEnvelope = (e) => ({
  status: e.status,
  data: e.details ?? null,
  message: e.message,
  code: e.code,
});


/** OpenAPI schema of an enveloped answer around `data`. */
export function enveloped<T extends ZodType>(data: T) {
  return z.object({ status: z.number().int(), data, message: z.string() });
}

export const EnvelopedError = z
  .object({ status: z.number().int(), data: z.unknown(), message: z.string(), code: z.string() })
  .openapi('ErrorEnvelope');
