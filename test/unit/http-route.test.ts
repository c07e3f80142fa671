import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { errorMiddleware, type ErrorEnvelope } from '../../src/http/error-middleware.ts';
import { buildOpenApiDocument, createOpenApiRegistry, z, type OpenAPIRegistry } from '../../src/http/openapi.ts';
import { defineRoute, type RouteInput } from '../../src/http/route.ts';

const ItemParams = z.object({ id: z.coerce.number().int().positive() });
const ItemQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  tag: z.string().optional(),
});
const ItemBody = z
  .object({
    name: z.string().min(1).max(20),
    qty: z.number().int().min(1),
    note: z.string().optional(),
  })
  .openapi('ItemInput');
const ItemOut = z.object({ id: z.number(), name: z.string() }).openapi('Item');

type Received = RouteInput<z.infer<typeof ItemParams>, z.infer<typeof ItemQuery>, z.infer<typeof ItemBody>>;

/** A custom envelope in the style of another API family (e.g. OCPI). */
const ocpiEnvelope: ErrorEnvelope = (e) => ({ status_code: 2000 + e.status, status_message: e.message, code: e.code });

interface TestApp {
  server: Server;
  base: string;
  registry: OpenAPIRegistry;
  received: Received[];
  logged: Array<Record<string, unknown>>;
}

async function startApp(): Promise<TestApp> {
  const registry = createOpenApiRegistry();
  const received: Received[] = [];
  const logged: Array<Record<string, unknown>> = [];
  // Level error: the 500 path logs; the lines are captured instead of printed.
  const log = pino(
    { level: 'error' },
    { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) },
  );

  const router = new Router();
  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/items/:id',
      summary: 'Create an item',
      tags: ['Items'],
      security: ['bearerAuth'],
      params: ItemParams,
      query: ItemQuery,
      body: ItemBody,
      responses: { 201: { description: 'Created', schema: ItemOut }, 400: { description: 'Invalid' } },
    },
    async (ctx, input) => {
      received.push(input);
      ctx.status = 201;
      ctx.body = { id: input.params.id, name: input.body.name, limit: input.query.limit, tag: input.query.tag ?? null };
    },
  );
  defineRoute(
    router,
    registry,
    { method: 'get', path: '/missing/:chargerId', summary: 'Always 404', tags: ['Items'], responses: { 404: { description: 'Not found' } } },
    async (ctx) => {
      throw new AppError('NOT_FOUND', `Charger ${ctx.params.chargerId} not found`);
    },
  );
  defineRoute(
    router,
    registry,
    { method: 'get', path: '/conflict', summary: 'Always 409', tags: ['Items'], responses: { 409: { description: 'Conflict' } } },
    async () => {
      throw new AppError('CONFLICT', 'Already charging', { transactionId: 17 });
    },
  );
  defineRoute(
    router,
    registry,
    { method: 'get', path: '/boom', summary: 'Always 500', tags: ['Items'], responses: { 500: { description: 'Oops' } } },
    async () => {
      throw new Error('secret db detail');
    },
  );

  const ocpi = new Router({ prefix: '/ocpi' });
  ocpi.use(async (ctx, next) => {
    ctx.state.errorEnvelope = ocpiEnvelope;
    await next();
  });
  defineRoute(
    ocpi,
    registry,
    {
      method: 'get',
      path: '/locations/:id',
      summary: 'A location',
      tags: ['OCPI'],
      params: z.object({ id: z.string().regex(/^LOC-\d+$/) }),
      responses: { 200: { description: 'Location' } },
    },
    async (ctx, input) => {
      if (input.params.id === 'LOC-0') throw new AppError('NOT_FOUND', 'Unknown location');
      if (input.params.id === 'LOC-500') throw new Error('secret ocpi detail');
      ctx.body = { id: input.params.id };
    },
  );

  const koa = new Koa();
  koa.use(errorMiddleware(log));
  koa.use(bodyParser({ enableTypes: ['json'], jsonLimit: '1kb' }));
  for (const r of [router, ocpi]) koa.use(r.routes()).use(r.allowedMethods());

  const server = createServer(koa.callback());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}`, registry, received, logged };
}

/** An app on silent logging, as the brief's minimal setup, to make sure nothing depends on the log level. */
async function startSilentApp(): Promise<{ server: Server; base: string }> {
  const router = new Router();
  defineRoute(
    router,
    createOpenApiRegistry(),
    { method: 'get', path: '/boom', summary: 'Always 500', tags: [], responses: {} },
    async () => {
      throw new Error('secret db detail');
    },
  );
  const koa = new Koa();
  koa.use(errorMiddleware(pino({ level: 'silent' })));
  koa.use(bodyParser());
  koa.use(router.routes());
  const server = createServer(koa.callback());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

interface ErrorJson {
  error: { code: string; message: string; details?: Array<{ in: string; path: string; message: string }> };
}

let app: TestApp;

beforeAll(async () => {
  app = await startApp();
});

afterAll(async () => {
  await stop(app.server);
});

function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${app.base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('defineRoute validation', () => {
  it('passes parsed and coerced params, query and body to the handler', async () => {
    const before = app.received.length;
    const res = await postJson('/items/42?limit=5&tag=blue', { name: 'cable', qty: 3 });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: 42, name: 'cable', limit: 5, tag: 'blue' });
    expect(app.received.length).toBe(before + 1);
    expect(app.received.at(-1)).toEqual({
      params: { id: 42 },
      query: { limit: 5, tag: 'blue' },
      body: { name: 'cable', qty: 3 },
    });
    expect(typeof app.received.at(-1)!.params.id).toBe('number');
  });

  it('applies schema defaults and strips unknown body keys', async () => {
    const res = await postJson('/items/7', { name: 'plug', qty: 1, extra: 'dropped' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: 7, name: 'plug', limit: 10, tag: null });
    expect(app.received.at(-1)).toEqual({ params: { id: 7 }, query: { limit: 10 }, body: { name: 'plug', qty: 1 } });
  });

  it('answers 400 VALIDATION_FAILED with every body issue', async () => {
    const before = app.received.length;
    const res = await postJson('/items/1', { name: '', qty: 'three' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.message).toMatch(/^body name: /);
    expect(body.error.details).toHaveLength(2);
    expect(body.error.details!.map((d) => [d.in, d.path])).toEqual([
      ['body', 'name'],
      ['body', 'qty'],
    ]);
    for (const d of body.error.details!) expect(d.message.length).toBeGreaterThan(0);
    expect(Object.keys(body)).toEqual(['error']);
    expect(app.received.length).toBe(before); // the handler never ran
  });

  it('reports a nested body path with dots', async () => {
    const Nested = z.object({ a: z.object({ b: z.array(z.number()) }) });
    const router = new Router();
    defineRoute(router, createOpenApiRegistry(), {
      method: 'put', path: '/n', summary: 'n', tags: [], body: Nested, responses: {},
    }, async (ctx) => {
      ctx.body = { ok: true };
    });
    const koa = new Koa();
    koa.use(errorMiddleware(pino({ level: 'silent' })));
    koa.use(bodyParser());
    koa.use(router.routes());
    const server = createServer(koa.callback()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/n`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ a: { b: [1, 'x'] } }),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as ErrorJson;
      expect(body.error.details).toEqual([{ in: 'body', path: 'a.b.1', message: expect.any(String), code: expect.any(String) }]);
      expect(body.error.message).toMatch(/^body a\.b\.1: /);
    } finally {
      await stop(server);
    }
  });

  it('rejects a missing body as a validation failure of the body', async () => {
    const res = await fetch(`${app.base}/items/1`, { method: 'POST' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details!.every((d) => d.in === 'body')).toBe(true);
  });

  it('validates path parameters (in: path)', async () => {
    const res = await postJson('/items/abc', { name: 'x', qty: 1 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details).toEqual([{ in: 'path', path: 'id', message: expect.any(String), code: expect.any(String) }]);
    expect(body.error.message).toMatch(/^path id: /);
  });

  it('validates the query string (in: query)', async () => {
    const res = await postJson('/items/1?limit=1000', { name: 'x', qty: 1 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.details).toEqual([{ in: 'query', path: 'limit', message: expect.any(String), code: expect.any(String) }]);
  });

  it('answers 400 PAYLOAD_INVALID for malformed JSON', async () => {
    const before = app.received.length;
    const res = await postJson('/items/1', '{"name": "x", "qty": ');
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.code).toBe('PAYLOAD_INVALID');
    expect(typeof body.error.message).toBe('string');
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(app.received.length).toBe(before);
  });

  it('answers 413 PAYLOAD_INVALID for a body over the JSON limit', async () => {
    const res = await postJson('/items/1', { name: 'x', qty: 1, note: 'n'.repeat(4096) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorJson).error.code).toBe('PAYLOAD_INVALID');
  });
});

describe('errorMiddleware', () => {
  it('maps AppError NOT_FOUND to 404 with its message', async () => {
    const res = await fetch(`${app.base}/missing/CP-9`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Charger CP-9 not found' } });
  });

  it('maps AppError CONFLICT to 409 and includes its details', async () => {
    const res = await fetch(`${app.base}/conflict`);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      error: { code: 'CONFLICT', message: 'Already charging', details: { transactionId: 17 } },
    });
  });

  it('masks an unexpected error as 500 and logs it instead', async () => {
    const before = app.logged.length;
    const res = await fetch(`${app.base}/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } });
    expect(text).not.toContain('secret');
    expect(app.logged.length).toBe(before + 1);
    const entry = app.logged.at(-1)!;
    expect(entry.msg).toBe('request failed');
    expect(entry.method).toBe('GET');
    expect(entry.path).toBe('/boom');
    expect(JSON.stringify(entry.err)).toContain('secret db detail');
  });

  it('masks an unexpected error with a silent logger too', async () => {
    const silent = await startSilentApp();
    try {
      const res = await fetch(`${silent.base}/boom`);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } });
      expect(text).not.toContain('secret db detail');
    } finally {
      await stop(silent.server);
    }
  });

  it('answers 404 NOT_FOUND for an unknown path', async () => {
    const res = await fetch(`${app.base}/no/such/path?x=1`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /no/such/path' } });
  });

  it('uses the envelope a router sets in ctx.state.errorEnvelope', async () => {
    const notFound = await fetch(`${app.base}/ocpi/locations/LOC-0`);
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({ status_code: 2404, status_message: 'Unknown location', code: 'NOT_FOUND' });

    const invalid = await fetch(`${app.base}/ocpi/locations/bad-id`);
    expect(invalid.status).toBe(400);
    const invalidBody = (await invalid.json()) as Record<string, unknown>;
    expect(invalidBody.status_code).toBe(2400);
    expect(invalidBody.code).toBe('VALIDATION_FAILED');
    expect(invalidBody).not.toHaveProperty('error');

    const crash = await fetch(`${app.base}/ocpi/locations/LOC-500`);
    expect(crash.status).toBe(500);
    const crashText = await crash.text();
    expect(JSON.parse(crashText)).toEqual({ status_code: 2500, status_message: 'Internal server error', code: 'INTERNAL_ERROR' });
    expect(crashText).not.toContain('secret');
  });

  it('leaves successful responses of a router with a custom envelope alone', async () => {
    const res = await fetch(`${app.base}/ocpi/locations/LOC-12`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'LOC-12' });
  });

  it('keeps the default envelope on routers that set none', async () => {
    const res = await fetch(`${app.base}/missing/X`);
    expect(((await res.json()) as ErrorJson).error.code).toBe('NOT_FOUND');
  });
});

describe('buildOpenApiDocument', () => {
  type Doc = {
    openapi: string;
    info: { title: string; version: string };
    servers?: Array<{ url: string }>;
    paths: Record<string, Record<string, Record<string, unknown>>>;
    components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  };
  const doc = () => buildOpenApiDocument(app.registry) as unknown as Doc;

  it('is OpenAPI 3.1.0', () => {
    expect(doc().openapi).toBe('3.1.0');
    expect(doc().info.version).toBe('0.1.0');
    expect(doc().servers).toBeUndefined();
  });

  it('lists the declared paths in {param} syntax', () => {
    const paths = Object.keys(doc().paths);
    expect(paths).toContain('/items/{id}');
    expect(paths).toContain('/missing/{chargerId}');
    expect(paths.some((p) => p.includes(':'))).toBe(false);
    expect(Object.keys(doc().paths['/items/{id}']!)).toEqual(['post']);
  });

  it('describes path and query parameters', () => {
    const op = doc().paths['/items/{id}']!.post!;
    const params = op.parameters as Array<{ in: string; name: string; required?: boolean }>;
    expect(params.find((p) => p.in === 'path')).toMatchObject({ name: 'id', required: true });
    expect(params.filter((p) => p.in === 'query').map((p) => p.name).sort()).toEqual(['limit', 'tag']);
    expect(op.summary).toBe('Create an item');
    expect(op.tags).toEqual(['Items']);
    expect(op.security).toEqual([{ bearerAuth: [] }]);
  });

  it('describes the JSON body schema', () => {
    const op = doc().paths['/items/{id}']!.post!;
    const requestBody = op.requestBody as { content: Record<string, { schema: { $ref?: string } }> };
    expect(Object.keys(requestBody.content)).toEqual(['application/json']);
    const ref = requestBody.content['application/json']!.schema.$ref;
    expect(ref).toBe('#/components/schemas/ItemInput');
    const schema = doc().components!.schemas!.ItemInput as {
      type: string;
      properties: Record<string, { type: string }>;
      required: string[];
    };
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties).sort()).toEqual(['name', 'note', 'qty']);
    expect(schema.properties.name!.type).toBe('string');
    expect(schema.properties.qty!.type).toBe('integer');
    expect([...schema.required].sort()).toEqual(['name', 'qty']);
  });

  it('describes responses by status', () => {
    const responses = doc().paths['/items/{id}']!.post!.responses as Record<string, { description: string; content?: unknown }>;
    expect(Object.keys(responses).sort()).toEqual(['201', '400']);
    expect(responses['201']).toEqual({
      description: 'Created',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
    });
    expect(responses['400']).toEqual({ description: 'Invalid' });
  });

  it('includes the security schemes and the server URL when given', () => {
    const withServer = buildOpenApiDocument(app.registry, 'https://cs.example.com') as unknown as Doc;
    expect(withServer.servers).toEqual([{ url: 'https://cs.example.com' }]);
    expect(Object.keys(withServer.components!.securitySchemes!).sort()).toEqual(['basicAuth', 'bearerAuth']);
  });
});

describe('routers with a prefix, and methods a path does not take', () => {
  it('documents the path as served (prefix included) and answers 405 in the default envelope', async () => {
    const registry = createOpenApiRegistry();
    const router = new Router({ prefix: '/api/v9' });
    defineRoute(
      router,
      registry,
      { method: 'get', path: '/things/:id', summary: 'A thing', tags: [], params: z.object({ id: z.string() }), responses: { 200: { description: 'ok' } } },
      async (ctx, { params }) => {
        ctx.body = { id: params.id };
      },
    );
    const koa = new Koa();
    koa.use(errorMiddleware(pino({ level: 'silent' })));
    koa.use(router.routes()).use(router.allowedMethods());
    const server = createServer(koa.callback());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const doc = buildOpenApiDocument(registry) as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).toEqual(['/api/v9/things/{id}']);
      expect(await (await fetch(`${base}/api/v9/things/7`)).json()).toEqual({ id: '7' });
      const res = await fetch(`${base}/api/v9/things/7`, { method: 'DELETE' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toContain('GET');
      expect(await res.json()).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED' } });
    } finally {
      await stop(server);
    }
  });
});

describe('route guards', () => {
  it('run before validation, so an unauthenticated caller gets 401 whatever the body', async () => {
    const registry = createOpenApiRegistry();
    const router = new Router();
    const seen: string[] = [];
    defineRoute(
      router,
      registry,
      {
        method: 'post', path: '/guarded', summary: 'Guarded', tags: [],
        guard: async (ctx, next) => {
          if (ctx.get('authorization') !== 'let-me-in') throw new AppError('UNAUTHENTICATED', 'who are you?');
          await next();
        },
        body: z.object({ n: z.number() }),
        responses: { 200: { description: 'ok' } },
      },
      async (ctx, { body }) => {
        seen.push(String(body.n));
        ctx.body = { n: body.n };
      },
    );
    const koa = new Koa();
    koa.use(errorMiddleware(pino({ level: 'silent' })));
    koa.use(bodyParser());
    koa.use(router.routes());
    const server = createServer(koa.callback());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/guarded`;
    const post = (body: unknown, authorization?: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify(body) });
    try {
      expect((await post({ n: 'not a number' })).status).toBe(401);
      expect((await post({ n: 'not a number' }, 'let-me-in')).status).toBe(400);
      const ok = await post({ n: 7 }, 'let-me-in');
      expect(await ok.json()).toEqual({ n: 7 });
      expect(seen).toEqual(['7']);
    } finally {
      await stop(server);
    }
  });
});
