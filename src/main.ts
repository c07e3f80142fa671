import path from 'node:path';
import { createApp } from './app.ts';
import * as chargePointService from './charge-points/charge-point.service.ts';
import { openBus } from './cluster/open-bus.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { DEMO, seedDemoData } from './demo/demo-data.ts';
import { createLogger } from './logger.ts';
import { listen } from './server.ts';

// Composition root: config → database → migrations → app → listen, and an orderly shutdown.
function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
const config = loadConfigOrExit();
const log = createLogger(config.logLevel, process.stdout.isTTY && config.env !== 'production');

const database = await openDatabase({
  url: config.databaseUrl,
  pgliteDir: path.join(config.dataDir, 'pglite'),
  poolSize: config.databasePoolSize,
  onIdleError: (err) => log.warn({ err }, 'idle database connection lost'),
});
const applied = await migrate(database.db);
if (applied.length) log.info({ applied }, 'migrations applied');
const released = await chargePointService.releaseServer(database.db, config.nodeId, new Date());
if (released) log.info({ released }, 'chargers left online by an earlier run of this node marked offline');
if (config.demoData && (await seedDemoData(database.db))) log.info('demo data seeded');

const bus = await openBus(database, (err) => log.warn({ err }, 'cluster bus'));
const app = await createApp({ config, db: database.db, databaseKind: database.kind, bus, log });
const server = await listen(app, config);

log.info(
  {
    node: config.nodeId,
    database: database.kind === 'pglite' ? `PGlite in ${path.resolve(config.dataDir, 'pglite')}` : 'PostgreSQL',
    api: server.httpUrl,
    ocpp: `${server.ocppUrl}/{chargePointId}`,
  },
  'charging platform listening',
);
process.stdout.write(
  [
    '',
    `  REST API      ${server.httpUrl}   (OpenAPI: ${server.httpUrl}/openapi.json)`,
    `  OCPP 1.6J     ${server.ocppUrl}/{chargePointId}   (subprotocol ocpp1.6)`,
    `  Health        ${server.httpUrl}/health   ${server.httpUrl}/ready   ${server.httpUrl}/metrics`,
    ...(config.demoData
      ? [
          `  Demo chargers ${DEMO.chargers.map((c) => c.uid + (c.password ? ` (password ${c.password})` : ' (no password)')).join(', ')}`,
          `  Demo id tags  ${DEMO.idTags.map((t) => t.idTag).join(', ')}`,
          `  Demo admin    ${DEMO.admin.username} / ${DEMO.admin.password}   (POST ${server.httpUrl}/api/v1/auth/login)`,
          `  Demo CPO      ${DEMO.cpoUser.username} / ${DEMO.cpoUser.password}   (POST /ocpi/cpo/api/auth/v1/login), token C ${DEMO.tokenC}, party ${DEMO.cpo.countryCode}/${DEMO.cpo.partyId}`,
          `  Demo app      Basic ${DEMO.apiClient.clientId}:${DEMO.apiClient.secret}   (API client for the Basic-auth endpoints;`,
          `                POST ${server.httpUrl}/v1/auth/token for the driver order API's bearer token, X-Bpp-Id ${config.orders.bppId})`,
          `  Beckn BPP     ${config.beckn.subscriberUrl}/{search,select,…}   subscriber ${app.beckn.signingKey.subscriberId}, ukId ${app.beckn.signingKey.keyId},`,
          `                signing key ${app.beckn.signingKey.publicKey}   (npm run bap -- --help: a BAP to try it)`,
          `  Try           npm run sim -- --url ${server.ocppUrl} --id DEMO-CP-002 --charge --id-tag DEMO-TAG-0001`,
        ]
      : []),
    '',
  ].join('\n'),
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  const force = setTimeout(() => process.exit(1), 15_000).unref();
  try {
    await server.close();
    await bus.close();
    await chargePointService.releaseServer(database.db, config.nodeId, new Date());
    await database.close();
  } catch (err) {
    log.error({ err }, 'unclean shutdown');
    process.exitCode = 1;
  } finally {
    clearTimeout(force);
  }
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
