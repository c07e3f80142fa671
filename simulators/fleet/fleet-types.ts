// Options and the messages a fleet's parent and its worker processes exchange (JSON over the IPC channel).

import type { LatencyHistogram } from './latency-histogram.ts';

/**
 * none: no sessions. random: each connector starts and stops sessions at random (exponential gaps).
 * remote: sessions only on RemoteStartTransaction / RemoteStopTransaction. always: every connector starts
 * one right after boot and keeps it until the fleet stops.
 */
export type TransactionMode = 'none' | 'random' | 'remote' | 'always';

export interface FleetOptions {
  /** Central system base URL; the identity is appended: ws://127.0.0.1:8080/ocpp → …/ocpp/FLEET-000001 */
  url: string;
  count: number;
  /** Child processes the chargers are spread over (each one event loop). */
  workers: number;
  idPrefix: string;
  /** Connections opened per second across the fleet; 'storm' opens them all at once. */
  ramp: number | 'storm';
  connectors: number;
  /** Overrides the interval the server returns in BootNotification.conf. */
  heartbeatIntervalS?: number | undefined;
  /** Seconds between MeterValues of a running session; 0 = back to back (next call as soon as the last is answered). */
  meterIntervalS: number;
  /** Sampled values per MeterValues (1–10; the default 6 is energy, power, current, voltage, SoC, temperature). */
  samples: number;
  transactions: TransactionMode;
  /** random mode: mean idle seconds between sessions of a connector, and mean session length. */
  txGapS: number;
  txLengthS: number;
  /** Stops by itself after this many seconds (undefined: runs until stop()). */
  durationS?: number | undefined;
  /** Loopback source addresses 127.0.0.2 … used round-robin, so ephemeral ports are not the limit. */
  addresses: number;
  /** StatusNotification for connector 0 and every connector after an Accepted boot. */
  statusOnBoot: boolean;
  /** Seconds a call may wait for its answer before it counts as an error. */
  callTimeoutS: number;
  /** Reconnect a dropped socket after 1–5 s (a real charger does). */
  reconnect: boolean;
}

export const FLEET_DEFAULTS: Omit<FleetOptions, 'url' | 'count'> = {
  workers: 2,
  idPrefix: 'FLEET-',
  ramp: 'storm',
  connectors: 1,
  meterIntervalS: 60,
  samples: 6,
  transactions: 'none',
  txGapS: 600,
  txLengthS: 1800,
  addresses: 0,
  statusOnBoot: true,
  callTimeoutS: 60,
  reconnect: true,
};

/** Cumulative counters, except the gauges connected/booted/activeTransactions/inFlight. */
export interface FleetCounters {
  connected: number;
  booted: number;
  /** Chargers whose boot StatusNotifications (one per connector and connector 0) have all been answered. */
  statusReported: number;
  pendingBoots: number;
  activeTransactions: number;
  inFlight: number;
  connectFailures: number;
  disconnects: number;
  callsSent: number;
  callsAnswered: number;
  callErrors: number;
  callTimeouts: number;
  incomingCalls: number;
  meterValuesAcked: number;
  samplesAcked: number;
  transactionsStarted: number;
  transactionsStopped: number;
  remoteStarts: number;
}

export const zeroCounters = (): FleetCounters => ({
  connected: 0, booted: 0, statusReported: 0, pendingBoots: 0, activeTransactions: 0, inFlight: 0, connectFailures: 0, disconnects: 0,
  callsSent: 0, callsAnswered: 0, callErrors: 0, callTimeouts: 0, incomingCalls: 0, meterValuesAcked: 0,
  samplesAcked: 0, transactionsStarted: 0, transactionsStopped: 0, remoteStarts: 0,
});

export interface WorkerSlice {
  options: FleetOptions;
  /** Index of the worker's first charger in the fleet, and how many it runs. */
  first: number;
  count: number;
}

export type HistogramJson = ReturnType<LatencyHistogram['toJSON']>;

export type ParentMessage =
  | { type: 'init'; slice: WorkerSlice }
  | { type: 'go' }
  | { type: 'stop'; drainMs: number };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'stats'; counters: FleetCounters; rssBytes: number; cpuMicros: number }
  /** Every charger of this worker has had an Accepted boot (epoch ms, comparable across processes). */
  | { type: 'allBooted'; at: number }
  | { type: 'stopped'; counters: FleetCounters; latency: Record<string, HistogramJson> };

export function chargerId(prefix: string, index: number): string {
  return `${prefix}${String(index + 1).padStart(6, '0')}`;
}

/** 127.0.0.2, 127.0.0.3, … round-robin; undefined when addresses is 0 (the OS picks). */
export function sourceAddress(addresses: number, index: number): string | undefined {
  if (addresses <= 0) return undefined;
  const n = 2 + (index % addresses);
  return `127.0.${Math.floor(n / 256)}.${n % 256}`;
}
