import type Router from '@koa/router';
import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Context, Middleware } from 'koa';
import type { ZodType, z as zod } from 'zod';
import { AppError } from '../errors.ts';
import type { OpenAPIRegistry } from './openapi.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec<P extends ZodType, Q extends ZodType, B extends ZodType> {
  method: Method;
  /** koa-style path: /api/v1/chargers/:id */
  path: string;
  summary: string;
  tags: string[];
  security?: Array<'bearerAuth' | 'basicAuth'>;
  /**
   * Runs before anything is validated (typically authentication), so an anonymous caller learns
   * nothing about the body rules; declared here so it can never drift from the route's path.
   */
  guard?: Middleware;
  params?: P;
  query?: Q;
  body?: B;
  /** Response bodies by HTTP status, for the OpenAPI document. */
  responses: Record<number, { description: string; schema?: ZodType; contentType?: string }>;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
}

/**
 * Declares a REST endpoint once: the zod schemas validate the request and describe it in the
 * OpenAPI document, so the document cannot drift from what is served.
 */
export function defineRoute<P extends ZodType = ZodType<unknown>, Q extends ZodType = ZodType<unknown>, B extends ZodType = ZodType<unknown>>(
  router: Router,
  registry: OpenAPIRegistry,
  spec: RouteSpec<P, Q, B>,
  handler: (ctx: Context, input: RouteInput<zod.infer<P>, zod.infer<Q>, zod.infer<B>>) => Promise<void>,
): void {
  // The document shows the path as served, including the router's prefix.
  registry.registerPath(toOpenApi({ ...spec, path: `${router.opts.prefix ?? ''}${spec.path}` }));
  const guards = spec.guard ? [spec.guard] : [];
  router[spec.method](spec.path, ...guards, async (ctx) => {
    const input = {
      params: parse('path', spec.params, ctx.params),
      query: parse('query', spec.query, ctx.query),
      body: parse('body', spec.body, (ctx.request as { body?: unknown }).body),
    } as RouteInput<zod.infer<P>, zod.infer<Q>, zod.infer<B>>;
    await handler(ctx as Context, input);
  });
}

function parse(where: string, schema: ZodType | undefined, value: unknown): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ in: where, path: i.path.join('.'), message: i.message, code: i.code }));
  const first = issues[0]!;
  throw new AppError('VALIDATION_FAILED', `${first.in} ${first.path || '(root)'}: ${first.message}`, issues);
}

function toOpenApi(spec: RouteSpec<ZodType, ZodType, ZodType>): RouteConfig {
  const responses: RouteConfig['responses'] = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: r.schema } } } : {}),
    };
  }
  return {
    method: spec.method,
    path: spec.path.replace(/:(\w+)/g, '{$1}'),
    summary: spec.summary,
    tags: spec.tags,
    ...(spec.security ? { security: spec.security.map((s) => ({ [s]: [] })) } : {}),
    request: {
      ...(spec.params ? { params: spec.params as never } : {}),
      ...(spec.query ? { query: spec.query as never } : {}),
      ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } } } } : {}),
    },
    responses,
  };
}
