// The fleet load generator: N lightweight chargers spread over worker processes (one event loop each).
// startFleet() spawns the workers, lets them prepare their chargers, then starts them all at one
// instant (t0), so a boot storm is timed from the same moment for every worker.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  FLEET_DEFAULTS, zeroCounters, type FleetCounters, type FleetOptions, type HistogramJson, type ParentMessage, type WorkerMessage,
} from './fleet-types.ts';
import { LatencyHistogram } from './latency-histogram.ts';

export { FLEET_DEFAULTS, chargerId } from './fleet-types.ts';
export type { FleetOptions, FleetCounters, TransactionMode } from './fleet-types.ts';

export interface FleetSnapshot {
  /** Seconds since t0. */
  elapsedS: number;
  counters: FleetCounters;
  /** Sum over the workers' resident set sizes, and their CPU time in seconds. */
  rssBytes: number;
  cpuS: number;
}

export interface FleetResult {
  t0: number;
  /** Epoch ms when every charger had its first Accepted boot; undefined if some never did. */
  allBootedAt: number | undefined;
  stoppedAt: number;
  counters: FleetCounters;
  /** Per action, the latency of the fleet's calls (sent → answered). */
  latency: Record<string, LatencyHistogram>;
  peakRssBytes: number;
  cpuS: number;
}

export interface Fleet {
  /** Epoch ms at which every worker was told to start. */
  t0: number;
  snapshot(): FleetSnapshot;
  /** Resolves with the epoch ms of the last charger's first Accepted boot. */
  allBooted: Promise<number>;
  /** Graceful: no new calls, waits up to drainMs for the answers of calls in flight, closes the sockets. */
  stop(drainMs?: number): Promise<FleetResult>;
  /** Resolves when the fleet has stopped (by stop() or after durationS). */
  done: Promise<FleetResult>;
}

interface WorkerState {
  child: ChildProcess;
  counters: FleetCounters;
  rssBytes: number;
  cpuMicros: number;
  allBootedAt: number | undefined;
  stopped?: { counters: FleetCounters; latency: Record<string, HistogramJson> };
}

const WORKER = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));

export function sumCounters(list: FleetCounters[]): FleetCounters {
  const total = zeroCounters();
  for (const c of list) for (const key of Object.keys(total) as Array<keyof FleetCounters>) total[key] += c[key];
  return total;
}

export async function startFleet(
  partial: Partial<FleetOptions> & Pick<FleetOptions, 'url' | 'count'>,
  hooks: { onProgress?: (line: string, snapshot: FleetSnapshot) => void } = {},
): Promise<Fleet> {
  const options: FleetOptions = { ...FLEET_DEFAULTS, ...partial };
  const workerCount = Math.max(1, Math.min(options.workers, options.count));
  const per = Math.ceil(options.count / workerCount);
  const workers: WorkerState[] = [];
  for (let w = 0; w < workerCount; w++) {
    const first = w * per;
    const count = Math.min(per, options.count - first);
    if (count <= 0) break;
    const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const state: WorkerState = { child, counters: zeroCounters(), rssBytes: 0, cpuMicros: 0, allBootedAt: undefined };
    workers.push(state);
    child.send({ type: 'init', slice: { options, first, count } } satisfies ParentMessage);
  }

  let resolveBooted!: (at: number) => void;
  const allBooted = new Promise<number>((r) => (resolveBooted = r));
  const stoppedWaiters: Array<() => void> = [];
  let peakRss = 0;
  await Promise.all(workers.map((state) => new Promise<void>((ready, failed) => {
    state.child.once('exit', (code) => failed(new Error(`fleet worker exited early (code ${code})`)));
    state.child.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'ready':
          return ready();
        case 'stats':
          state.counters = message.counters;
          state.rssBytes = message.rssBytes;
          state.cpuMicros = message.cpuMicros;
          return;
        case 'allBooted':
          state.allBootedAt = message.at;
          if (workers.every((w) => w.allBootedAt !== undefined)) resolveBooted(Math.max(...workers.map((w) => w.allBootedAt!)));
          return;
        case 'stopped':
          state.stopped = { counters: message.counters, latency: message.latency };
          state.counters = message.counters;
          if (workers.every((w) => w.stopped)) stoppedWaiters.splice(0).forEach((f) => f());
      }
    });
  })));

  const t0 = Date.now();
  for (const w of workers) w.child.send({ type: 'go' } satisfies ParentMessage);

  const snapshot = (): FleetSnapshot => {
    const rssBytes = workers.reduce((s, w) => s + w.rssBytes, 0);
    peakRss = Math.max(peakRss, rssBytes);
    return {
      elapsedS: (Date.now() - t0) / 1000,
      counters: sumCounters(workers.map((w) => w.counters)),
      rssBytes,
      cpuS: workers.reduce((s, w) => s + w.cpuMicros, 0) / 1e6,
    };
  };

  let last = snapshot();
  const progress = setInterval(() => {
    const now = snapshot();
    const dt = now.elapsedS - last.elapsedS || 1;
    const c = now.counters;
    const rate = (c.callsSent - last.counters.callsSent + c.incomingCalls - last.counters.incomingCalls) / dt;
    const errors = c.callErrors + c.callTimeouts + c.connectFailures + c.disconnects;
    const line = `t=${now.elapsedS.toFixed(0)}s connected ${c.connected}/${options.count} booted ${c.booted} msgs/s ${Math.round(rate)}`
      + ` meterValues ${c.meterValuesAcked} tx ${c.activeTransactions} in-flight ${c.inFlight} errors ${errors}`
      + ` (fail ${c.connectFailures} drop ${c.disconnects} callerr ${c.callErrors} timeout ${c.callTimeouts}) fleet rss ${Math.round(now.rssBytes / 1048576)} MB`;
    hooks.onProgress?.(line, now);
    last = now;
  }, 1000);

  let stopping: Promise<FleetResult> | undefined;
  let resolveDone!: (r: FleetResult) => void;
  const done = new Promise<FleetResult>((r) => (resolveDone = r));
  const stop = (drainMs = 10_000): Promise<FleetResult> => {
    stopping ??= (async () => {
      clearTimeout(durationTimer);
      const cpuBefore = snapshot();
      const finished = workers.every((w) => w.stopped) ? Promise.resolve() : new Promise<void>((r) => stoppedWaiters.push(r));
      for (const w of workers) if (w.child.connected) w.child.send({ type: 'stop', drainMs } satisfies ParentMessage);
      await finished;
      clearInterval(progress);
      const latency: Record<string, LatencyHistogram> = {};
      for (const w of workers) {
        for (const [action, data] of Object.entries(w.stopped!.latency)) (latency[action] ??= new LatencyHistogram()).merge(data);
      }
      await Promise.all(workers.map((w) => (w.child.exitCode !== null ? undefined : new Promise((r) => w.child.once('exit', r)))));
      const result: FleetResult = {
        t0,
        allBootedAt: workers.every((w) => w.allBootedAt !== undefined) ? Math.max(...workers.map((w) => w.allBootedAt!)) : undefined,
        stoppedAt: Date.now(),
        counters: sumCounters(workers.map((w) => w.stopped!.counters)),
        latency,
        peakRssBytes: peakRss,
        cpuS: cpuBefore.cpuS,
      };
      resolveDone(result);
      return result;
    })();
    return stopping;
  };
  const durationTimer = options.durationS !== undefined ? setTimeout(() => void stop(), options.durationS * 1000) : undefined;
  for (const w of workers) {
    w.child.removeAllListeners('exit');
    w.child.once('exit', (code) => {
      if (!w.stopped) {
        w.stopped = { counters: w.counters, latency: {} };
        hooks.onProgress?.(`fleet worker ${w.child.pid} exited unexpectedly (code ${code})`, snapshot());
        if (workers.every((x) => x.stopped)) stoppedWaiters.splice(0).forEach((f) => f());
      }
    });
  }
  return { t0, snapshot, allBooted, stop, done };
}
