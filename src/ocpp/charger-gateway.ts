import ocppRpc from 'ocpp-rpc';
import type { ClusterBus } from '../cluster/cluster-bus.ts';
import * as chargePointService from '../charge-points/charge-point.service.ts';
import type { CommandAction } from '../commands/charger-commands.ts';
import type { ChargerGateway, CommandOutcome } from '../commands/charger-gateway.ts';
import * as commandLog from '../commands/command-log.service.ts';
import type { CommandCompletion } from '../commands/command-log.service.ts';
import type { Database } from '../db/database.ts';
import type { OcppCommandRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { commandChannel, replyChannel, type CommandNotice } from './command-channels.ts';
import type { ConnectionRegistry } from './connection-registry.ts';
import type { OcppValidator } from './validator.ts';

export interface GatewayDeps {
  db: Database;
  bus: ClusterBus;
  connections: ConnectionRegistry;
  nodeId: string;
  validator: OcppValidator;
  defaultTimeoutMs: number;
  metrics: Metrics;
  log: Logger;
}

export interface RunningGateway extends ChargerGateway {
  close(): Promise<void>;
}

/** Extra wait for a remote node's notice beyond the charger's own timeout (bus and database hops). */
const REMOTE_MARGIN_MS = 3000;

/**
 * Sends commands to chargers anywhere in the cluster. A charger's socket lives on one node
 * (charge_point.server_id): the asking node writes the command to ocpp_command and, if the socket
 * is elsewhere, NOTIFYs that node, which sends it, records the answer and NOTIFYs back. Only ids
 * travel on the bus (NOTIFY payloads are small); the payload and answer live in the row.
 */
export async function startChargerGateway(deps: GatewayDeps): Promise<RunningGateway> {
  const { db, bus, connections, nodeId, metrics } = deps;
  const log = deps.log.child({ component: 'charger-gateway' });
  const waiting = new Map<number, () => void>();

  const unsubscribeReplies = await bus.subscribe(replyChannel(nodeId), (message) => {
    const { commandId } = JSON.parse(message) as CommandNotice;
    waiting.get(commandId)?.();
  });
  const unsubscribeCommands = await bus.subscribe(commandChannel(nodeId), (message) => {
    void executeForAnotherNode(JSON.parse(message) as CommandNotice).catch((err) =>
      log.error({ err }, 'failed to execute a command for another node'),
    );
  });

  async function executeForAnotherNode(notice: CommandNotice): Promise<void> {
    const row = await commandLog.get(db, notice.commandId);
    if (!row || row.status !== 'pending') return;
    await executeHere(row, notice.timeoutMs);
    await bus.publish(replyChannel(row.originNode), JSON.stringify({ commandId: row.id, timeoutMs: 0 }));
  }

  /** Sends the command over the socket this node holds and records how it ended (the completed row, if this completed it). */
  async function executeHere(row: OcppCommandRow, timeoutMs: number): Promise<OcppCommandRow | undefined> {
    const connection = connections.get(row.chargePointId);
    const started = performance.now();
    let completion: CommandCompletion;
    if (!connection) {
      completion = { status: 'offline', executingNode: nodeId, durationMs: 0 };
    } else {
      try {
        const response = await connection.call(row.action, row.payload, { timeoutMs });
        completion = { status: 'answered', executingNode: nodeId, response, durationMs: performance.now() - started };
      } catch (err) {
        completion = { ...describeFailure(err), executingNode: nodeId, durationMs: performance.now() - started };
      }
    }
    metrics.ocppCalls.inc({ action: row.action, direction: 'outgoing', outcome: completion.status });
    if (connection) metrics.ocppCallSeconds.observe({ action: row.action, direction: 'outgoing' }, completion.durationMs / 1000);
    return commandLog.complete(db, row.id, completion);
  }

  async function sendToNode(row: OcppCommandRow, serverId: string, timeoutMs: number): Promise<void> {
    const answered = new Promise<void>((resolve) => waiting.set(row.id, resolve));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs + REMOTE_MARGIN_MS)));
    try {
      await bus.publish(commandChannel(serverId), JSON.stringify({ commandId: row.id, timeoutMs } satisfies CommandNotice));
      await Promise.race([answered, expired]);
    } finally {
      clearTimeout(timer);
      waiting.delete(row.id);
    }
    // No notice in time: the node holding the socket is gone or stuck. Only a still-pending row is changed.
    await commandLog.complete(db, row.id, { status: 'timeout', executingNode: null, durationMs: timeoutMs + REMOTE_MARGIN_MS });
  }

  const gateway: RunningGateway = {
    validate(action, payload) {
      try {
        deps.validator.validate(`urn:${action}.req`, payload);
      } catch (err) {
        const e = err as { message?: string; details?: { errors?: unknown } };
        throw new AppError('VALIDATION_FAILED', `invalid ${action} payload: ${e.message ?? 'schema violation'}`, e.details?.errors);
      }
    },

    async send<A extends CommandAction>(chargePointId: string, action: A, payload: unknown, options: { requestedBy: string; timeoutMs?: number }) {
      gateway.validate(action, payload);
      const chargePoint = await chargePointService.get(db, chargePointId);
      if (!chargePoint) throw new AppError('NOT_FOUND', `charger ${chargePointId} is not registered`);
      const timeoutMs = options.timeoutMs ?? deps.defaultTimeoutMs;
      const row = await commandLog.open(db, { chargePointId, action, payload, requestedBy: options.requestedBy, originNode: nodeId });

      let done: OcppCommandRow | undefined;
      if (!chargePoint.online || !chargePoint.serverId) {
        done = await commandLog.complete(db, row.id, { status: 'offline', executingNode: null, durationMs: 0 });
      } else if (chargePoint.serverId === nodeId) {
        done = await executeHere(row, timeoutMs);
      } else {
        await sendToNode(row, chargePoint.serverId, timeoutMs);
      }
      // Completed elsewhere (by the node holding the socket): read how it ended.
      done ??= (await commandLog.get(db, row.id))!;
      return toOutcome<A>(done);
    },

    async close() {
      await unsubscribeCommands();
      await unsubscribeReplies();
      for (const wake of waiting.values()) wake();
    },
  };
  return gateway;
}

function describeFailure(err: unknown): Pick<CommandCompletion, 'status' | 'errorCode' | 'errorDescription'> {
  if (err instanceof ocppRpc.TimeoutError) return { status: 'timeout' };
  const rpc = err as { rpcErrorCode?: string; message?: string };
  if (rpc?.rpcErrorCode) return { status: 'error', errorCode: rpc.rpcErrorCode, errorDescription: rpc.message ?? '' };
  // ocpp-rpc rejects calls in flight with a plain reason when the socket closes under them.
  return { status: 'error', errorCode: 'ConnectionLost', errorDescription: 'the charger disconnected before answering' };
}

function toOutcome<A extends CommandAction>(row: OcppCommandRow): CommandOutcome<A> {
  switch (row.status) {
    case 'answered':
      return { commandId: row.id, response: row.response as CommandOutcome<A>['response'] };
    case 'offline':
      throw new AppError('CHARGER_OFFLINE', `charger ${row.chargePointId} is not connected`, { command_id: row.id });
    case 'timeout':
      throw new AppError('CHARGER_TIMEOUT', `charger ${row.chargePointId} did not answer ${row.action} in time`, { command_id: row.id });
    case 'error':
      throw new AppError('CHARGER_ERROR', `charger ${row.chargePointId} answered ${row.action} with ${row.errorCode}`, {
        command_id: row.id,
        error_code: row.errorCode,
        error_description: row.errorDescription,
      });
    default:
      throw new Error(`command ${row.id} still pending after its send completed`);
  }
}
