import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import type { ClusterBus } from './cluster/cluster-bus.ts';
import { startNodeRegistry } from './cluster/node-registry.ts';
import type { ChargerGateway } from './commands/charger-gateway.ts';
import type { Config } from './config.ts';
import type { WriteBatchOptions } from './db/batch-writer.ts';
import type { Database, DatabaseKind } from './db/database.ts';
import { cpoErrorEnvelope } from './http/envelope.ts';
import { envelopeByPath, errorMiddleware } from './http/error-middleware.ts';
import { healthRoutes } from './http/health.routes.ts';
import { buildOpenApiDocument, createOpenApiRegistry } from './http/openapi.ts';
import { createIngest, type Ingest } from './ingest/ingest.ts';
import type { Logger } from './logger.ts';
import { startMaintenance } from './maintenance.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { startChargerGateway } from './ocpp/charger-gateway.ts';
import type { DataTransferVendors } from './ocpp/data-transfer-vendors.ts';
import { createOcppServer, type OcppServer } from './ocpp/ocpp-server.ts';
import { requireApiClient } from './http/api-client-auth.ts';
import { requireRole } from './http/auth.ts';
import { createAuthenticator } from './auth/authenticator.ts';
import { createMailer } from './mail/mailer.ts';
import { ocpiRoutes } from './ocpi/index.ts';
import { operatorAuthRoutes } from './operator/auth.routes.ts';
import { operatorRoutes } from './operator/index.ts';
import { createTokenService } from './security/jwt.ts';
import { createGraphql, GRAPHQL_PATH } from './graphql/yoga.ts';
import { createStatusFeed, type StatusFeed } from './map/status-feed.ts';
import type { OrderDeps } from './charging-orders/order-deps.ts';
import { echoTransactionId, ordersErrorEnvelope, ordersRoutes } from './orders/index.ts';
import { becknErrorEnvelope, createBeckn, type Beckn } from './beckn/index.ts';
import { createGatewayProvider } from './payments/gateway-provider.ts';
import type { PaymentProvider } from './payments/payment-provider.ts';

export interface AppDeps {
  config: Config;
  db: Database;
  databaseKind: DatabaseKind;
  /** LISTEN/NOTIFY on PostgreSQL, in-process on PGlite; owned (and closed) by the caller. */
  bus: ClusterBus;
  log: Logger;
  vendors?: DataTransferVendors;
  /** The payment gateway; by default the built-in one at PAYMENT_GATEWAY_URL (none when unset). */
  payments?: PaymentProvider;
  now?: () => Date;
}

export interface App {
  koa: Koa;
  ocpp: OcppServer;
  gateway: ChargerGateway;
  ingest: Ingest;
  metrics: Metrics;
  /** Live connector status changes (GraphQL subscription), fed by StatusNotifications of every node. */
  statusFeed: StatusFeed;
  beckn: Beckn;
  /** Closes charger sockets, stops timers, then writes what is still queued. The caller closes bus and database. */
  close(): Promise<void>;
}

/** Builds the whole application around an open database; never listens itself (see server.ts). */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, db, log, bus } = deps;
  const metrics = createMetrics();
  // PGlite is one connection; on PostgreSQL a few batches commit in parallel, leaving pool room for
  // the rest. More is not faster: on a 2-core database server 4 parallel batches ingested ~40 % less
  // than 2 (smaller batches, contended index pages), so the default follows the database's cores.
  // One set of group-commit settings and metrics for every writer (telemetry and connection bookkeeping).
  const writeBatches: WriteBatchOptions = {
    maxBatch: config.writeBatch.max,
    maxDelayMs: config.writeBatch.delayMs,
    concurrency: deps.databaseKind === 'pglite' ? 1 : Math.max(1, Math.min(config.writeBatch.concurrency, config.databasePoolSize - 2)),
    onBatch: (writer, size, seconds) => {
      metrics.writeBatchSize.observe({ writer }, size);
      metrics.writeBatchSeconds.observe({ writer }, seconds);
    },
    onError: (writer, err, size) => {
      metrics.writeBatchErrors.inc({ writer });
      log.error({ err, writer, size }, 'write batch failed');
    },
  };
  // Committed status batches are announced for the map's live feed (src/map/status-feed.ts).
  const ingest = createIngest(db, { ...writeBatches, bus });
  const ocpp = await createOcppServer({
    db,
    config,
    log,
    metrics,
    ingest,
    bus,
    vendors: deps.vendors ?? new Map(),
    writeBatches,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const gateway = await startChargerGateway({
    db,
    bus,
    connections: ocpp.connections,
    nodeId: config.nodeId,
    validator: ocpp.validator,
    defaultTimeoutMs: config.ocpp.callTimeoutMs,
    metrics,
    log,
  });
  const nodeRegistry = await startNodeRegistry({
    db,
    nodeId: config.nodeId,
    heartbeatIntervalMs: config.cluster.heartbeatIntervalMs,
    nodeTimeoutMs: config.cluster.nodeTimeoutMs,
    log,
    // Other nodes may have marked our chargers offline while we were silent; their sockets are still here.
    onResumed: () => ocpp.reassertConnections(),
  });
  const payments = deps.payments ?? paymentProviderOf(config);
  const maintenance = startMaintenance({
    db,
    payments,
    intervalMs: config.maintenanceIntervalMs,
    loginFailureWindowS: config.auth.loginFailureWindowS,
    log,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const tokens = createTokenService({
    secret: config.jwtSecret,
    accessTtlS: config.auth.accessTokenTtlS,
    refreshTtlS: config.auth.refreshTokenTtlS,
  });
  const authenticator = createAuthenticator({ tokens, db });
  const mailer = createMailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, log });

  const statusFeed = await createStatusFeed({ db, bus, log: log.child({ component: 'status-feed' }) });
  const graphql = createGraphql({ db, config, authenticator, statusFeed, log });

  const orderDeps: OrderDeps = {
    gateway,
    payments,
    orders: config.orders,
    support: config.support,
    now: deps.now ?? (() => new Date()),
  };

  const registry = createOpenApiRegistry();
  const beckn = await createBeckn({ db, config, registry, orders: orderDeps, log });
  let openApiDocument: unknown;
  const koa = new Koa({ proxy: false });
  // Errors koa sees outside the middleware chain: a response stream broken by its client (an SSE
  // subscriber going away resets the socket). Logged here rather than printed by koa's default.
  koa.on('error', (err: NodeJS.ErrnoException) => {
    const gone = err.code === 'ECONNRESET' || err.code === 'EPIPE' || err.code === 'ERR_STREAM_PREMATURE_CLOSE';
    log[gone ? 'debug' : 'warn']({ err }, 'http response stream failed');
  });
  // First: yoga reads the body itself, answers every error in GraphQL's own shape and streams SSE.
  koa.use(async (ctx, next) => {
    if (ctx.path !== GRAPHQL_PATH) return next();
    ctx.respond = false;
    await graphql.handle(ctx.req, ctx.res);
  });
  koa.use(errorMiddleware(log.child({ component: 'http' })));
  koa.use(envelopeByPath([['/api/', cpoErrorEnvelope], ['/ocpi/', cpoErrorEnvelope], ['/v1/', ordersErrorEnvelope], ['/beckn/', becknErrorEnvelope]]));
  koa.use(echoTransactionId('/v1/'));
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
    // Before the operator router: login must not need a token.
    operatorAuthRoutes({ db, tokens, registry, auth: config.auth }),
    operatorRoutes({ db, gateway, tokens, registry }),
    ...ocpiRoutes({
      db,
      config,
      registry,
      log,
      mailer,
      tokens,
      requireUser: (roles) => requireRole(authenticator, roles),
      requireApiClient: requireApiClient(db),
    }),
    ordersRoutes({ db, registry, log, orders: orderDeps, tokens: { secret: config.jwtSecret, ttlS: config.auth.accessTokenTtlS } }),
    beckn.router,
  ];
  for (const router of routers) koa.use(router.routes()).use(router.allowedMethods());

  return {
    koa,
    ocpp,
    gateway,
    ingest,
    metrics,
    statusFeed,
    beckn,
    close: async () => {
      await beckn.close();
      // Ends open subscriptions (their SSE streams close) before the rest stops.
      await statusFeed.close();
      await graphql.dispose();
      await ocpp.close();
      await gateway.close();
      await maintenance.close();
      await nodeRegistry.close();
      await ingest.close();
    },
  };
}

function paymentProviderOf(config: Config): PaymentProvider | undefined {
  const { gatewayUrl, apiKey, webhookSecret } = config.payments;
  return gatewayUrl ? createGatewayProvider({ baseUrl: gatewayUrl, apiKey, webhookSecret }) : undefined;
}
