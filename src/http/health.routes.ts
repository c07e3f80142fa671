import Router from '@koa/router';
import type { Database, DatabaseKind } from '../db/database.ts';
import { ping } from '../db/database.ts';
import { isMigrated } from '../db/migrate.ts';
import type { Metrics } from '../metrics.ts';
import { defineRoute } from './route.ts';
import { z, type OpenAPIRegistry } from './openapi.ts';

export interface HealthDeps {
  db: Database;
  databaseKind: DatabaseKind;
  nodeId: string;
  metrics: Metrics;
  registry: OpenAPIRegistry;
  openApiDocument: () => unknown;
}

const HealthBody = z.object({ status: z.literal('ok'), node_id: z.string(), uptime_s: z.number() }).openapi('Health');
const ReadyBody = z
  .object({ status: z.enum(['ready', 'unavailable']), database: z.string(), reason: z.string().optional() })
  .openapi('Ready');

export function healthRoutes(deps: HealthDeps): Router {
  const router = new Router();
  const startedAt = Date.now();
  let migrated = false; // applied migrations do not un-apply: once true, stop asking

  defineRoute(router, deps.registry, {
    method: 'get', path: '/health', summary: 'Liveness: the process is up', tags: ['Operations'],
    responses: { 200: { description: 'Alive', schema: HealthBody } },
  }, async (ctx) => {
    ctx.body = { status: 'ok', node_id: deps.nodeId, uptime_s: Math.round((Date.now() - startedAt) / 1000) };
  });

  defineRoute(router, deps.registry, {
    method: 'get', path: '/ready', summary: 'Readiness: database reachable and migrations applied', tags: ['Operations'],
    responses: { 200: { description: 'Ready', schema: ReadyBody }, 503: { description: 'Not ready', schema: ReadyBody } },
  }, async (ctx) => {
    try {
      await ping(deps.db);
      migrated ||= await isMigrated(deps.db);
      ctx.status = migrated ? 200 : 503;
      ctx.body = migrated
        ? { status: 'ready', database: deps.databaseKind }
        : { status: 'unavailable', database: deps.databaseKind, reason: 'migrations pending' };
    } catch {
      ctx.status = 503;
      ctx.body = { status: 'unavailable', database: deps.databaseKind, reason: 'database unreachable' };
    }
  });

  defineRoute(router, deps.registry, {
    method: 'get', path: '/metrics', summary: 'Prometheus metrics', tags: ['Operations'],
    responses: { 200: { description: 'Prometheus text format', schema: z.string(), contentType: 'text/plain' } },
  }, async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });

  defineRoute(router, deps.registry, {
    method: 'get', path: '/openapi.json', summary: 'This OpenAPI 3.1 document', tags: ['Operations'],
    responses: { 200: { description: 'OpenAPI document' } },
  }, async (ctx) => {
    ctx.body = deps.openApiDocument();
  });

  return router;
}
