// A fleet worker process: runs its slice of the fleet's chargers, reports counters every second over
// the IPC channel, and on 'stop' drains the calls in flight before closing its sockets.
// Started by fleet.ts (child_process.fork with tsx); not meant to be run by hand.

import { FleetCharger, type FleetContext } from './fleet-charger.ts';
import { chargerId, zeroCounters, type ParentMessage, type WorkerMessage, type WorkerSlice } from './fleet-types.ts';
import { LatencyHistogram } from './latency-histogram.ts';

if (!process.send) {
  console.error('fleet-worker.ts is started by the fleet (simulators/fleet/fleet-cli.ts), not by hand');
  process.exit(1);
}

const send = (message: WorkerMessage) => process.send!(message);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let slice: WorkerSlice | undefined;
let chargers: FleetCharger[] = [];
let reporter: NodeJS.Timeout | undefined;
let ramp: NodeJS.Timeout | undefined;
const histograms = new Map<string, LatencyHistogram>();
const counters = zeroCounters();
let firstBoots = 0;

function context(s: WorkerSlice): FleetContext {
  return {
    options: s.options,
    counters,
    stopping: false,
    latency(action) {
      let h = histograms.get(action);
      if (!h) histograms.set(action, (h = new LatencyHistogram()));
      return h;
    },
    onFirstBoot() {
      if (++firstBoots === s.count) send({ type: 'allBooted', at: Date.now() });
    },
  };
}

let ctx: FleetContext | undefined;

function report(): void {
  send({ type: 'stats', counters: { ...counters }, rssBytes: process.memoryUsage.rss(), cpuMicros: sumCpu() });
}

function sumCpu(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function go(): void {
  const s = slice!;
  // Counters four times a second, so a bench can cut a measurement window finely; timeouts once a second.
  let tick = 0;
  reporter = setInterval(() => {
    if (++tick % 4 === 0) {
      const now = performance.now();
      for (const c of chargers) c.sweep(now);
    }
    report();
  }, 250);
  if (s.options.ramp === 'storm') {
    for (const c of chargers) c.connect();
    return;
  }
  // Connections per second for this worker's share, opened in 10 ms steps.
  const perSecond = s.options.ramp * (s.count / s.options.count);
  const started = performance.now();
  let next = 0;
  ramp = setInterval(() => {
    const due = Math.min(chargers.length, Math.floor(((performance.now() - started) / 1000) * perSecond) + 1);
    while (next < due) chargers[next++]!.connect();
    if (next >= chargers.length) clearInterval(ramp);
  }, 10);
}

async function stop(drainMs: number): Promise<void> {
  clearInterval(ramp);
  clearInterval(reporter);
  if (ctx) ctx.stopping = true;
  for (const c of chargers) c.quiesce();
  // Calls already sent may still be answered: wait for them, so every acknowledgement is counted.
  const deadline = Date.now() + drainMs;
  while (counters.inFlight > 0 && Date.now() < deadline) await sleep(20);
  const latency = Object.fromEntries([...histograms].map(([action, h]) => [action, h.toJSON()]));
  const final = { ...counters };
  await Promise.all(chargers.map((c) => c.close()));
  send({ type: 'stopped', counters: final, latency });
  process.disconnect();
}

process.on('message', (message: ParentMessage) => {
  switch (message.type) {
    case 'init': {
      slice = message.slice;
      ctx = context(slice);
      const c = ctx;
      chargers = Array.from({ length: slice.count }, (_, i) => {
        const index = slice!.first + i;
        return new FleetCharger(chargerId(slice!.options.idPrefix, index), index, c);
      });
      send({ type: 'ready' });
      return;
    }
    case 'go':
      return go();
    case 'stop':
      void stop(message.drainMs);
  }
});

// The parent went away: nothing to report to any more.
process.on('disconnect', () => setTimeout(() => process.exit(0), 100).unref());
