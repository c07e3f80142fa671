// The servers under test as child processes (the project's src/main.ts, or the baseline), and their
// memory and CPU read from /proc/<pid> the same way for both.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export interface ServerProcess {
  name: 'project' | 'baseline';
  pid: number;
  httpUrl: string;
  /** Base for chargers; the identity is appended. */
  ocppUrl: string;
  logFile: string;
  /** SIGTERM, then waits for the exit (the project finishes its writes and closes the database). */
  stop(): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface ProcSample {
  at: number;
  rssBytes: number;
  /** user + system CPU seconds since the process started. */
  cpuS: number;
}

export async function procSample(pid: number): Promise<ProcSample> {
  const [status, stat] = await Promise.all([readFile(`/proc/${pid}/status`, 'utf8'), readFile(`/proc/${pid}/stat`, 'utf8')]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  // Fields after the parenthesised command name: utime and stime are the 14th and 15th of the line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { at: performance.now(), rssBytes: rssKb * 1024, cpuS: ticks / CLOCK_TICKS };
}

/** Percent of one core the process used between two samples. */
export function cpuPercent(a: ProcSample, b: ProcSample): number {
  return Math.round(((b.cpuS - a.cpuS) / ((b.at - a.at) / 1000)) * 1000) / 10;
}

export async function cpuOver(pid: number, ms: number): Promise<{ cpuPercent: number; rssBytes: number }> {
  const a = await procSample(pid);
  await new Promise((r) => setTimeout(r, ms));
  const b = await procSample(pid);
  return { cpuPercent: cpuPercent(a, b), rssBytes: b.rssBytes };
}

/**
 * The project's server runs with the Node flags of package.json's serve script: none. A 64 MB young
 * generation (--max-semi-space-size=64) was tried: its ingest gain did not reproduce, and it cost
 * 6 – 10 KB of RSS per charger after a 20,000-charger boot storm (44 KB in one run, over the target).
 */
const PROJECT_NODE_FLAGS: string[] = [];

/** Extra Node flags for the server under test, e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof". */
const extraNodeFlags = (): string[] => (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);

function spawnLogged(
  name: ServerProcess['name'],
  nodeFlags: string[],
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; logFile: string } {
  const logFile = path.join(os.tmpdir(), `bench-${name}-${Date.now()}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [...nodeFlags, ...extraNodeFlags(), '--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  return { child, logFile };
}

function stopper(child: ChildProcess): () => Promise<number | null> {
  return () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

async function waitFor(child: ChildProcess, logFile: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (code ${child.exitCode}) before it was ready; see ${logFile}`);
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server not ready within ${timeoutMs} ms; see ${logFile}`);
}

/**
 * src/main.ts on a free port, quiet (LOG_LEVEL=warn), without demo data, on the bench database's env.
 * Resolves once /ready answers 200.
 */
export async function startProjectServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const { child, logFile } = spawnLogged('project', PROJECT_NODE_FLAGS, ['src/main.ts'], {
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DEMO_DATA: 'false',
    NODE_ID: 'bench',
    NODE_ENV: 'development',
    ...env,
  });
  const httpUrl = `http://127.0.0.1:${port}`;
  await waitFor(child, logFile, async () => (await fetch(`${httpUrl}/ready`)).ok, 120_000);
  return { name: 'project', pid: child.pid!, httpUrl, ocppUrl: `ws://127.0.0.1:${port}/ocpp`, logFile, stop: stopper(child) };
}

export async function startBaselineProcess(): Promise<ServerProcess> {
  const port = await freePort();
  const { child, logFile } = spawnLogged('baseline', [], ['simulators/bench/baseline-server.ts'], { PORT: String(port) });
  let listening = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('baseline listening')) listening = true;
  });
  await waitFor(child, logFile, async () => listening, 60_000);
  return { name: 'baseline', pid: child.pid!, httpUrl: `http://127.0.0.1:${port}`, ocppUrl: `ws://127.0.0.1:${port}/ocpp`, logFile, stop: stopper(child) };
}
