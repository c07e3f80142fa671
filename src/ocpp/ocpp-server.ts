import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { RPCServer, createRPCError } from 'ocpp-rpc';
import type { ClusterBus } from '../cluster/cluster-bus.ts';
import * as chargePointService from '../charge-points/charge-point.service.ts';
import { CHARGE_POINT_ID_PATTERN } from '../charge-points/charge-point.service.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { Logger } from '../logger.ts';
import { encodeStatusMessages, STATUS_CHANNEL } from '../map/status-feed.ts';
import type { Metrics } from '../metrics.ts';
import { CONNECTED_CHANNEL, type ConnectedNotice } from './command-channels.ts';
import { ConnectionRegistry, type ChargerConnection } from './connection-registry.ts';
import type { OcppContext } from './context.ts';
import type { DataTransferVendors } from './data-transfer-vendors.ts';
import { toOcpp16Frame } from './framing-errors.ts';
import { handlers } from './handlers/index.ts';
import type { ChargePointAction } from './messages.ts';
import { createOcpp16Validator, type OcppValidator } from './validator.ts';

/** The part of ocpp-rpc's server-side client we use (its bundled typings do not resolve under NodeNext). */
interface RpcServerClient {
  session: Record<string, unknown>;
  handshake: { remoteAddress: string | undefined };
  sendRaw(frame: string): void;
  handle(method: string, handler: (call: { params?: unknown }) => Promise<Record<string, unknown>>): void;
  call(method: string, params: unknown, options: { callTimeoutMs: number }): Promise<unknown>;
  close(options: { code: number; reason: string }): Promise<unknown>;
  on(event: string, listener: (payload: never) => void): void;
  once(event: string, listener: (payload: never) => void): void;
}

export const OCPP_PATH_PREFIX = '/ocpp/';
const SUBPROTOCOL = 'ocpp1.6';

export interface OcppServerDeps {
  db: Database;
  config: Config;
  log: Logger;
  metrics: Metrics;
  ingest: Ingest;
  bus: ClusterBus;
  vendors: DataTransferVendors;
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

  const validator = createOcpp16Validator();
  // A charger that reconnected to another node leaves its old socket here: close it (a one-socket-per-charger rule across the cluster).
  const unsubscribe = await bus.subscribe(CONNECTED_CHANNEL, (message) => {
    const notice = JSON.parse(message) as ConnectedNotice;
    if (notice.nodeId === config.nodeId) return;
    const stale = connections.get(notice.chargePointId);
    if (stale && stale.wsConnectionId !== notice.wsConnectionId) {
      log.info({ chargePointId: notice.chargePointId, node: notice.nodeId }, 'charger reconnected to another node: closing this socket');
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
    const upgradeLog = log.child({ chargePointId: identity, remoteAddress: handshake.remoteAddress });
    try {
      if (`${handshake.endpoint}/` !== OCPP_PATH_PREFIX) return reject(404, 'Not found');
      if (!CHARGE_POINT_ID_PATTERN.test(identity)) return reject(400, 'Invalid charge point identity');
      if (!handshake.protocols.has(SUBPROTOCOL)) return reject(400, `Subprotocol ${SUBPROTOCOL} required`);
      const decision = await chargePointService.authorizeConnection(
        db,
        identity,
        handshake.password,
        config.ocpp.unknownChargers,
      );
      if (!decision.accepted) {
        upgradeLog.warn({ reason: decision.reason }, 'connection refused');
        // One answer for unknown identity and wrong password, so identities cannot be probed.
        return reject(401, 'Unauthorized');
      }
      if (decision.created) upgradeLog.info('unknown charger admitted as Pending');
      accept({ chargePointId: identity, wsConnectionId: randomUUID() }, SUBPROTOCOL);
    } catch (err) {
      upgradeLog.error({ err }, 'connection authorization failed');
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

  async function onClient(client: RpcServerClient): Promise<void> {
    const { chargePointId, wsConnectionId } = client.session as { chargePointId: string; wsConnectionId: string };
    const clog = log.child({ chargePointId, wsConnectionId });
    const rawSend = client.sendRaw.bind(client);
    client.sendRaw = (frame: string) => rawSend(toOcpp16Frame(frame));

    const connection: ChargerConnection = {
      chargePointId,
      wsConnectionId,
      connectedAt: now(),
      remoteAddress: client.handshake.remoteAddress,
      call: (action, payload, options) =>
        client.call(action, payload, { callTimeoutMs: options?.timeoutMs ?? config.ocpp.callTimeoutMs }),
      close: async (code, reason) => {
        await client.close({ code, reason });
      },
    };

    const replaced = connections.set(connection);
    metrics.chargersConnected.set(connections.size);
    if (replaced) {
      clog.info({ replacedConnectionId: replaced.wsConnectionId }, 'new connection replaces the previous one');
      void replaced.close(1000, 'Replaced by a newer connection').catch(() => undefined);
    }

    let lastTouch = connection.connectedAt.getTime();
    const touchEveryMs = Math.min(60_000, (config.ocpp.heartbeatIntervalS * 1000) / 10);
    const ctx: OcppContext = { db, ingest, ocpp: config.ocpp, vendors, chargePointId, log: clog, now };

    for (const action of Object.keys(handlers) as ChargePointAction[]) {
      const handler = handlers[action] as (c: OcppContext, req: unknown) => Promise<unknown>;
      client.handle(action, async ({ params }: { params?: unknown }) => {
        const started = performance.now();
        try {
          const result = await handler(ctx, params);
          metrics.ocppCalls.inc({ action, direction: 'incoming', outcome: 'ok' });
          const at = Date.now();
          if (action !== 'Heartbeat' && at - lastTouch > touchEveryMs) {
            lastTouch = at;
            ingest.touch(chargePointId, new Date(at)).catch((err) => clog.warn({ err }, 'last-seen update failed'));
          }
          return result as Record<string, unknown>;
        } catch (err) {
          metrics.ocppCalls.inc({ action, direction: 'incoming', outcome: 'error' });
          clog.error({ err, action, params }, 'OCPP call failed');
          // The charger retries on an error; it must never see our internals.
          throw createRPCError('InternalError', 'Internal error', {});
        } finally {
          metrics.ocppCallSeconds.observe({ action, direction: 'incoming' }, (performance.now() - started) / 1000);
        }
      });
    }

    client.on('badMessage', ({ error }: { error: Error }) => {
      metrics.ocppBadMessages.inc();
      clog.warn({ err: error.message }, 'bad OCPP frame');
    });
    client.on('strictValidationFailure', ({ method, outbound, error }: { method: string; outbound: boolean; error: Error }) => {
      metrics.ocppCalls.inc({ action: method, direction: outbound ? 'outgoing' : 'incoming', outcome: 'invalid' });
      clog.warn({ action: method, outbound, err: error.message }, 'OCPP schema violation');
    });
    client.once('close', ({ code, reason }: { code: number; reason: string }) => {
      connections.delete(connection);
      metrics.chargersConnected.set(connections.size);
      clog.info({ code, reason }, 'charger disconnected');
      track(
        chargePointService
          .disconnected(db, chargePointId, wsConnectionId, now())
          .then((wentOffline) => (wentOffline ? announceOffline(chargePointId) : undefined))
          .catch((err) => clog.error({ err }, 'failed to record disconnect')),
      );
    });

    await chargePointService.connected(db, chargePointId, config.nodeId, wsConnectionId, connection.connectedAt);
    if (connections.get(chargePointId) !== connection) {
      // Closed (or replaced) while the connect was being recorded: the close handler ran too early to count.
      await chargePointService.disconnected(db, chargePointId, wsConnectionId, now());
      return;
    }
    clog.info({ remoteAddress: connection.remoteAddress }, 'charger connected');
    const notice: ConnectedNotice = { chargePointId, wsConnectionId, nodeId: config.nodeId };
    await bus.publish(CONNECTED_CHANNEL, JSON.stringify(notice));
  }

  return {
    handleUpgrade: (request, socket, head) => void rpc.handleUpgrade(request, socket as never, head),
    connections,
    validator,
    reassertConnections: async () => {
      for (const c of [...connections.values()]) {
        await chargePointService.connected(db, c.chargePointId, config.nodeId, c.wsConnectionId, c.connectedAt);
      }
    },
    close: async () => {
      await unsubscribe();
      await rpc.close({ code: 1001, reason: 'Server shutting down', awaitPending: true });
      while (pendingWrites.size > 0) await Promise.allSettled([...pendingWrites]);
    },
  };
}
