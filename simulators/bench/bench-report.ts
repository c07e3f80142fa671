// Output of the benchmarks: a table (metric, project, baseline, ratio, target) on stdout and a JSON
// file in bench-results/, in the style of bench-geo.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import type { FleetResult } from '../fleet/fleet.ts';

export interface Row {
  metric: string;
  project: number | string | undefined;
  baseline?: number | string | undefined;
  /** 'higher' when more is better (rates), 'lower' when less is (latency, memory, time). */
  better?: 'higher' | 'lower';
  target?: string;
}

const round = (v: number) => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100);

function show(v: number | string | undefined): string | number {
  if (v === undefined) return '—';
  return typeof v === 'number' ? (Number.isFinite(v) ? round(v) : '—') : v;
}

/** project ÷ baseline, so > 1 means the project needs more (latency, memory) or does more (rates). */
export function ratio(row: Row): string {
  if (typeof row.project !== 'number' || typeof row.baseline !== 'number' || !row.baseline) return '—';
  return `${(row.project / row.baseline).toFixed(2)}×`;
}

export function printTable(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.table(rows.map((r) => ({ metric: r.metric, project: show(r.project), baseline: show(r.baseline), ratio: ratio(r), target: r.target ?? '' })));
}

export interface BenchResult {
  bench: string;
  backend: string;
  parameters: Record<string, unknown>;
  rows: Row[];
  /** Anything the run found wrong (lost values, chargers that never booted…): the bench exits 1. */
  failures: string[];
  details: Record<string, unknown>;
}

export async function writeResult(result: BenchResult): Promise<string> {
  await mkdir('bench-results', { recursive: true });
  const file = path.join('bench-results', `${result.bench}.json`);
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  const rows = result.rows.map((r) => ({ ...r, ratio: ratio(r) }));
  await writeFile(file, `${JSON.stringify({ at: new Date().toISOString(), machine, ...result, rows }, null, 2)}\n`);
  return file;
}

export function finish(result: BenchResult, file: string): void {
  console.log(`written ${file}`);
  if (result.failures.length) {
    console.log(`\nFAILED:\n  ${result.failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

export const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

/** A fleet result as JSON: counters, latency summaries per action, the generator's own cost. */
export function fleetSummary(r: FleetResult): Record<string, unknown> {
  const latency = Object.fromEntries(Object.entries(r.latency).map(([action, h]) => [action, h.summary()]));
  return { counters: r.counters, latency, peakRssBytes: r.peakRssBytes, cpuS: r.cpuS, seconds: (r.stoppedAt - r.t0) / 1000 };
}
