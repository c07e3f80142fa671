import * as chargePointRepository from '../charge-points/charge-point.repository.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import * as clusterNodeRepository from './cluster-node.repository.ts';

/** How long a silent node's row is kept (for inspection) before the sweep forgets it. */
export const SILENT_NODE_RETENTION_MS = 24 * 60 * 60 * 1000;

export interface NodeRegistryDeps {
  db: Database;
  nodeId: string;
  heartbeatIntervalMs: number;
  /** A node silent for this long is presumed dead and its chargers offline; must exceed the interval. */
  nodeTimeoutMs: number;
  log: Logger;
  /** Called after every sweep with the number of chargers it marked offline. */
  onSweep?: (released: number) => void;
  /** Called when this node heartbeats again after other nodes may have presumed it dead. */
  onResumed?: () => Promise<void>;
}

export interface NodeRegistry {
  close(): Promise<void>;
}

export interface SweepCutoffs {
  /** Nodes with a heartbeat after this are alive. */
  liveNodeCutoff: Date;
  /** Nodes with no heartbeat since this are forgotten. */
  silentNodeCutoff: Date;
}

/** `now` is the database's clock (the heartbeat's own timestamp), like every heartbeat compared with it. */
export function sweepCutoffs(now: Date, nodeTimeoutMs: number): SweepCutoffs {
  return {
    liveNodeCutoff: new Date(now.getTime() - nodeTimeoutMs),
    silentNodeCutoff: new Date(now.getTime() - Math.max(SILENT_NODE_RETENTION_MS, nodeTimeoutMs)),
  };
}

export function assertRegistryTimings(heartbeatIntervalMs: number, nodeTimeoutMs: number): void {
  if (!(heartbeatIntervalMs > 0) || !(nodeTimeoutMs > heartbeatIntervalMs)) {
    throw new Error(
      `node registry needs 0 < heartbeatIntervalMs < nodeTimeoutMs (got ${heartbeatIntervalMs} and ${nodeTimeoutMs}): ` +
        'otherwise live nodes would be declared dead between two heartbeats',
    );
  }
}

/**
 * Keeps this node's row in cluster_node fresh and, on every node, releases the chargers of nodes that
 * stopped heartbeating (crashed, killed, partitioned). Every node sweeps: the update is idempotent, so
 * there is no leader to elect. Registers at once and rejects if that fails.
 */
export async function startNodeRegistry(deps: NodeRegistryDeps): Promise<NodeRegistry> {
  const { db, nodeId, heartbeatIntervalMs, nodeTimeoutMs } = deps;
  assertRegistryTimings(heartbeatIntervalMs, nodeTimeoutMs);
  const log = deps.log.child({ component: 'node-registry', node: nodeId });

  let lastBeatAt = await clusterNodeRepository.heartbeat(db, nodeId);
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function sweep(now: Date): Promise<void> {
    const { liveNodeCutoff, silentNodeCutoff } = sweepCutoffs(now, nodeTimeoutMs);
    const released = await chargePointRepository.markOrphansOffline(db, liveNodeCutoff, now);
    if (released) log.info({ released }, 'chargers of silent nodes marked offline');
    const forgotten = await clusterNodeRepository.removeSilentSince(db, silentNodeCutoff);
    if (forgotten) log.info({ forgotten }, 'long-silent cluster nodes forgotten');
    deps.onSweep?.(released);
  }

  async function tick(): Promise<void> {
    const now = await clusterNodeRepository.heartbeat(db, nodeId);
    if (now.getTime() - lastBeatAt.getTime() > nodeTimeoutMs) {
      // Other nodes may have released our chargers meanwhile although their sockets are still here.
      log.warn({ silentMs: now.getTime() - lastBeatAt.getTime() }, 'heartbeat resumed after this node was presumed dead');
      await deps.onResumed?.();
    }
    lastBeatAt = now;
    await sweep(now);
  }

  // Chained timeouts rather than setInterval: a slow database never gets two ticks of one node at once.
  function run(work: () => Promise<void>): void {
    running = work()
      .catch((err: unknown) => log.error({ err }, 'cluster heartbeat or sweep failed'))
      .finally(() => {
        running = undefined;
        if (closed) return;
        timer = setTimeout(() => run(tick), heartbeatIntervalMs);
        timer.unref();
      });
  }

  // Registered just now; sweep at once so chargers of nodes that died while we were down are released early.
  run(() => sweep(lastBeatAt));

  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        closed = true;
        clearTimeout(timer);
        await running;
        await clusterNodeRepository.remove(db, nodeId);
      })();
      return closing;
    },
  };
}
