import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import type { Config } from './config.ts';
import type { Database, DatabaseKind } from './db/database.ts';
import { errorMiddleware } from './http/error-middleware.ts';
import { healthRoutes } from './http/health.routes.ts';
import { buildOpenApiDocument, createOpenApiRegistry } from './http/openapi.ts';
import { createIngest, type Ingest } from './ingest/ingest.ts';
import type { Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { DataTransferVendors } from './ocpp/data-transfer-vendors.ts';
import { createOcppServer, type OcppServer } from './ocpp/ocpp-server.ts';

export interface AppDeps {
  config: Config;
  db: Database;
  databaseKind: DatabaseKind;
  log: Logger;
  vendors?: DataTransferVendors;
  now?: () => Date;
}

export interface App {
  koa: Koa;
  ocpp: OcppServer;
  ingest: Ingest;
  metrics: Metrics;
  /** Closes charger sockets, then writes what is still queued. The caller closes the database. */
  close(): Promise<void>;
}

/** Builds the whole application around an open database; never listens itself (see server.ts). */
export function createApp(deps: AppDeps): App {
  const { config, db, log } = deps;
  const metrics = createMetrics();
  const ingest = createIngest(db, {
    maxBatch: config.writeBatch.max,
    maxDelayMs: config.writeBatch.delayMs,
    // PGlite is one connection; on PostgreSQL a few batches commit in parallel, leaving pool room for the rest.
    concurrency: deps.databaseKind === 'pglite' ? 1 : Math.max(1, Math.min(4, config.databasePoolSize - 2)),
    onBatch: (writer, size, seconds) => {
      metrics.writeBatchSize.observe({ writer }, size);
      metrics.writeBatchSeconds.observe({ writer }, seconds);
    },
    onError: (writer, err, size) => {
      metrics.writeBatchErrors.inc({ writer });
      log.error({ err, writer, size }, 'write batch failed');
    },
  });
  const ocpp = createOcppServer({
    db,
    config,
    log,
    metrics,
    ingest,
    vendors: deps.vendors ?? new Map(),
    ...(deps.now ? { now: deps.now } : {}),
  });

  const registry = createOpenApiRegistry();
  let openApiDocument: unknown;
  const koa = new Koa({ proxy: false });
  koa.use(errorMiddleware(log.child({ component: 'http' })));
  koa.use(bodyParser({ enableTypes: ['json'], jsonLimit: '1mb' }));
  const routers = [
    healthRoutes({
      db,
      databaseKind: deps.databaseKind,
      nodeId: config.nodeId,
      metrics,
      registry,
      openApiDocument: () => (openApiDocument ??= buildOpenApiDocument(registry, config.publicUrl)),
    }),
  ];
  for (const router of routers) koa.use(router.routes()).use(router.allowedMethods());

  return {
    koa,
    ocpp,
    ingest,
    metrics,
    close: async () => {
      await ocpp.close();
      await ingest.close();
    },
  };
}
