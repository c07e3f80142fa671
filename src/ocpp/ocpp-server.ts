import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { RPCServer, createRPCError } from 'ocpp-rpc';
import type { ClusterBus } from '../cluster/cluster-bus.ts';
import { CHARGE_POINT_ID_PATTERN } from '../charge-points/charge-point.service.ts';
import { createConnectionBookkeeping } from '../charge-points/connection-bookkeeping.ts';
import type { Config } from '../config.ts';
import type { WriteBatchOptions } from '../db/batch-writer.ts';
import type { Database } from '../db/database.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { Logger } from '../logger.ts';
import { encodeStatusMessages, STATUS_CHANNEL } from '../map/status-feed.ts';
import type { Metrics } from '../metrics.ts';
import { ChargerSession, type RpcServerClient, type SessionShared } from './charger-session.ts';
import { CONNECTED_CHANNEL, type ConnectedNotice } from './command-channels.ts';
import { createConnectedNotices } from './connected-notices.ts';
import { ConnectionRegistry } from './connection-registry.ts';
import type { OcppContext } from './context.ts';
import type { DataTransferVendors } from './data-transfer-vendors.ts';
import { sendOcpp16Frame } from './framing-errors.ts';
import { handlers } from './handlers/index.ts';
import type { ChargePointAction } from './messages.ts';
import { createOcpp16Validator, type OcppValidator } from './validator.ts';

export const OCPP_PATH_PREFIX = '/ocpp/';
const SUBPROTOCOL = 'ocpp1.6';
const ACTIONS = Object.keys(handlers) as ChargePointAction[];

export interface OcppServerDeps {
  db: Database;
  config: Config;
  log: Logger;
  metrics: Metrics;
  ingest: Ingest;
  bus: ClusterBus;
  vendors: DataTransferVendors;
  /** Group-commit settings of the connection bookkeeping (those of the ingest). */
  writeBatches: WriteBatchOptions;
  now?: () => Date;
}

export interface OcppServer {
  /** For the HTTP server's 'upgrade' event on /ocpp/{chargePointId}. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  connections: ConnectionRegistry;
  /** The OCPP 1.6 schema validator (shared with the command gateway). */
  validator: OcppValidator;
  /** Marks every charger connected here online again (after this node was presumed dead). */
  reassertConnections(): Promise<void>;
  close(): Promise<void>;
}

export async function createOcppServer(deps: OcppServerDeps): Promise<OcppServer> {
  const { db, config, metrics, ingest, vendors, bus } = deps;
  const now = deps.now ?? (() => new Date());
  const log = deps.log.child({ component: 'ocpp' });
  const connections = new ConnectionRegistry();
  // Connection bookkeeping writes still running; close() waits for them so none outlives the database.
  const pendingWrites = new Set<Promise<unknown>>();
  const track = (write: Promise<unknown>) => {
    pendingWrites.add(write);
    void write.finally(() => pendingWrites.delete(write));
  };
  const bookkeeping = createConnectionBookkeeping(db, deps.writeBatches);
  // Nobody waits on a notice: one publish at a time, each gathering what arrived meanwhile, keeps a
  // storm's NOTIFYs few (a replaced socket elsewhere is closed a few milliseconds later at most).
  const notices = createConnectedNotices(bus, config.nodeId, { ...deps.writeBatches, concurrency: 1, maxDelayMs: Math.max(deps.writeBatches.maxDelayMs, 10) });
  const shared: SessionShared = { db, ingest, bookkeeping, ocpp: config.ocpp, vendors, log, now };

  const validator = createOcpp16Validator();
  // A charger that reconnected to another node leaves its old socket here: close it (a one-socket-per-charger rule across the cluster).
  const unsubscribe = await bus.subscribe(CONNECTED_CHANNEL, (message) => {
    const notice = JSON.parse(message) as ConnectedNotice;
    if (notice.nodeId === config.nodeId) return;
    for (const [chargePointId, wsConnectionId] of notice.chargers) {
      const stale = connections.get(chargePointId);
      if (!stale || stale.wsConnectionId === wsConnectionId) continue;
      log.info({ chargePointId, node: notice.nodeId }, 'charger reconnected to another node: closing this socket');
      void stale.close(1000, 'Replaced by a connection to another node').catch(() => undefined);
    }
  });

  const rpc = new RPCServer({
    protocols: [SUBPROTOCOL],
    strictMode: true,
    // Replaces ocpp-rpc's own 1.6 validator (same schemas; exact decimal multipleOf).
    strictModeValidators: [validator as never],
    callTimeoutMs: config.ocpp.callTimeoutMs,
    pingIntervalMs: config.ocpp.pingIntervalS * 1000,
    deferPingsOnActivity: true,
    respondWithDetailedErrors: false,
    maxBadMessages: config.ocpp.maxBadMessages,
    wssOptions: { maxPayload: config.ocpp.maxFrameBytes, perMessageDeflate: false },
  });

  rpc.auth(async (accept, reject, handshake) => {
    const identity = handshake.identity;
    const upgradeLog = () => log.child({ chargePointId: identity, remoteAddress: handshake.remoteAddress });
    try {
      if (`${handshake.endpoint}/` !== OCPP_PATH_PREFIX) return reject(404, 'Not found');
      if (!CHARGE_POINT_ID_PATTERN.test(identity)) return reject(400, 'Invalid charge point identity');
      if (!handshake.protocols.has(SUBPROTOCOL)) return reject(400, `Subprotocol ${SUBPROTOCOL} required`);
      const decision = await bookkeeping.authorize(identity, handshake.password, config.ocpp.unknownChargers);
      if (!decision.accepted) {
        upgradeLog().warn({ reason: decision.reason }, 'connection refused');
        // One answer for unknown identity and wrong password, so identities cannot be probed.
        return reject(401, 'Unauthorized');
      }
      if (decision.created) upgradeLog().info('unknown charger admitted as Pending');
      // The session is what ocpp-rpc keeps as client.session: the shared listeners below find it there.
      accept(new ChargerSession(shared, identity, randomUUID()), SUBPROTOCOL);
    } catch (err) {
      upgradeLog().error({ err }, 'connection authorization failed');
      reject(503, 'Service unavailable');
    }
  });

  rpc.on('client', (client: RpcServerClient) => {
    track(onClient(client).catch((err) => log.error({ err }, 'failed to set up charger connection')));
  });

  /**
   * Live map subscribers learn that a charger went away (its connectors now read UNKNOWN) through the
   * status feed, as a pseudo-status "Offline" on connector 0.
   */
  async function announceOffline(chargePointId: string): Promise<void> {
    const item = { cp: chargePointId, c: 0, s: 'Offline', e: 'NoError', t: now().toISOString() };
    for (const message of encodeStatusMessages([item])) await bus.publish(STATUS_CHANNEL, message);
  }

  const touchEveryMs = Math.min(60_000, (config.ocpp.heartbeatIntervalS * 1000) / 10);

  // One handler and one set of listeners for every client (ocpp-rpc passes the action; `this` is the
  // client), rather than a dozen closures per connection.
  async function dispatch(session: ChargerSession, action: ChargePointAction, params: unknown): Promise<Record<string, unknown>> {
    const started = performance.now();
    try {
      const handler = handlers[action] as (c: OcppContext, req: unknown) => Promise<unknown>;
      const result = await handler(session, params);
      metrics.ocppCalls.inc({ action, direction: 'incoming', outcome: 'ok' });
      const at = Date.now();
      if (action !== 'Heartbeat' && at - session.lastTouchMs > touchEveryMs) {
        session.lastTouchMs = at;
        ingest.touch(session.chargePointId, new Date(at)).catch((err) => session.log.warn({ err }, 'last-seen update failed'));
      }
      return result as Record<string, unknown>;
    } catch (err) {
      metrics.ocppCalls.inc({ action, direction: 'incoming', outcome: 'error' });
      session.log.error({ err, action, params }, 'OCPP call failed');
      // The charger retries on an error; it must never see our internals.
      throw createRPCError('InternalError', 'Internal error', {});
    } finally {
      metrics.ocppCallSeconds.observe({ action, direction: 'incoming' }, (performance.now() - started) / 1000);
    }
  }

  function onBadMessage(this: RpcServerClient, { error }: { error: Error }): void {
    metrics.ocppBadMessages.inc();
    (this.session as ChargerSession).log.warn({ err: error.message }, 'bad OCPP frame');
  }

  function onStrictValidationFailure(this: RpcServerClient, { method, outbound, error }: { method: string; outbound: boolean; error: Error }): void {
    metrics.ocppCalls.inc({ action: method, direction: outbound ? 'outgoing' : 'incoming', outcome: 'invalid' });
    (this.session as ChargerSession).log.warn({ action: method, outbound, err: error.message }, 'OCPP schema violation');
  }

  function onClose(this: RpcServerClient, { code, reason }: { code: number; reason: string }): void {
    const session = this.session as ChargerSession;
    const { chargePointId, wsConnectionId } = session;
    connections.delete(session);
    metrics.chargersConnected.set(connections.size);
    log.info({ chargePointId, wsConnectionId, code, reason }, 'charger disconnected');
    track(
      bookkeeping
        .disconnected({ id: chargePointId, wsConnectionId, at: now() })
        .then((wentOffline) => (wentOffline ? announceOffline(chargePointId) : undefined))
        .catch((err) => session.log.error({ err }, 'failed to record disconnect')),
    );
  }

  async function onClient(client: RpcServerClient): Promise<void> {
    const session = client.session as ChargerSession;
    session.attach(client);
    const { chargePointId, wsConnectionId } = session;
    client.sendRaw = sendOcpp16Frame;

    const replaced = connections.set(session);
    metrics.chargersConnected.set(connections.size);
    if (replaced) {
      log.info({ chargePointId, wsConnectionId, replacedConnectionId: replaced.wsConnectionId }, 'new connection replaces the previous one');
      void replaced.close(1000, 'Replaced by a newer connection').catch(() => undefined);
    }

    const handle = (call: { method: string; params?: unknown }) => dispatch(session, call.method as ChargePointAction, call.params);
    for (const action of ACTIONS) client.handle(action, handle);
    client.on('badMessage', onBadMessage as never);
    client.on('strictValidationFailure', onStrictValidationFailure as never);
    client.on('close', onClose as never);

    await bookkeeping.connected({ id: chargePointId, serverId: config.nodeId, wsConnectionId, at: session.connectedAt });
    if (connections.get(chargePointId) !== session) {
      // Closed (or replaced) while the connect was being recorded: the close handler ran too early to count.
      await bookkeeping.disconnected({ id: chargePointId, wsConnectionId, at: now() });
      return;
    }
    log.info({ chargePointId, wsConnectionId, remoteAddress: session.remoteAddress }, 'charger connected');
    await notices.announce(chargePointId, wsConnectionId);
  }

  return {
    handleUpgrade: (request, socket, head) => void rpc.handleUpgrade(request, socket as never, head),
    connections,
    validator,
    reassertConnections: async () => {
      const current = [...connections.values()];
      await Promise.all(current.map((c) => bookkeeping.connected({ id: c.chargePointId, serverId: config.nodeId, wsConnectionId: c.wsConnectionId, at: c.connectedAt })));
    },
    close: async () => {
      await unsubscribe();
      await rpc.close({ code: 1001, reason: 'Server shutting down', awaitPending: true });
      while (pendingWrites.size > 0) await Promise.allSettled([...pendingWrites]);
      await Promise.all([bookkeeping.close(), notices.close()]);
    },
  };
}
