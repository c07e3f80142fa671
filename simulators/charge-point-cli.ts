// CLI: run one or many simulated OCPP 1.6J charge points against a central system.
//   npm run sim -- --help

import { parseArgs } from 'node:util';
import { SimulatedChargePoint } from './charge-point.ts';
import type { BootNotificationConf } from './ocpp-types.ts';

const USAGE = `Usage: npm run sim -- [options]

Simulates OCPP 1.6J charge points (subprotocol ocpp1.6, schema-validated frames).

Options:
  --url <ws-url>          central system endpoint, identity is appended (default ws://127.0.0.1:8080/ocpp)
  --id <identity>         charge point identity, or prefix when --count > 1: PREFIX-0001… (default SIM-CP)
  --count <n>             number of charge points (default 1)
  --ramp <n>              new connections per second, 0 = all at once (default 10)
  --password <secret>     HTTP Basic auth password (same for all)
  --connectors <n>        connectors per charge point (default 2)
  --meter-interval <s>    MeterValues interval while charging, 0 = none (default 60)
  --heartbeat <s>         heartbeat interval, overrides the BootNotification interval
  --max-power <W>         maximum charging power (default 22000; above 43000 the meter is DC)
  --charge                after boot, start a session on connector 1 with --id-tag
  --id-tag <tag>          idTag for --charge; "{n}" is replaced by the station number (default SIM-TAG-{n})
  --duration <s>          stop all sessions and exit after this many seconds (default: until Ctrl-C)
  --local-address <a,b>   source addresses for the sockets, used round-robin (fleet mode)
  --no-reconnect          do not reconnect after a dropped connection
  --verbose, -v           print every OCPP frame
  --help, -h              show this help

Examples:
  npm run sim -- --id CP-001 --charge --id-tag 04A2B3C4D5 --meter-interval 10
  npm run sim -- --id LOAD --count 500 --ramp 50 --charge --duration 600`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      options: {
        url: { type: 'string', default: 'ws://127.0.0.1:8080/ocpp' },
        id: { type: 'string', default: 'SIM-CP' },
        count: { type: 'string', default: '1' },
        ramp: { type: 'string', default: '10' },
        password: { type: 'string' },
        connectors: { type: 'string', default: '2' },
        'meter-interval': { type: 'string', default: '60' },
        heartbeat: { type: 'string' },
        'max-power': { type: 'string' },
        charge: { type: 'boolean', default: false },
        'id-tag': { type: 'string', default: 'SIM-TAG-{n}' },
        duration: { type: 'string' },
        'local-address': { type: 'string' },
        'no-reconnect': { type: 'boolean', default: false },
        verbose: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    return fail((err as Error).message);
  }
}

function num(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) fail(`--${name} must be a number >= ${min}, got "${raw}"`);
  return n;
}

const args = parse();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const count = Math.floor(num('count', args.count, 1) ?? 1);
const ramp = num('ramp', args.ramp, 0) ?? 10;
const duration = num('duration', args.duration, 0);
const heartbeat = num('heartbeat', args.heartbeat, 0);
const maxPowerW = num('max-power', args['max-power'], 1);
const connectors = Math.floor(num('connectors', args.connectors, 1) ?? 2);
const meterInterval = num('meter-interval', args['meter-interval'], 0) ?? 60;
const localAddresses = args['local-address']?.split(',').map((a) => a.trim()).filter(Boolean) ?? [];
const stations: SimulatedChargePoint[] = [];
const bootStatus = new Map<SimulatedChargePoint, BootNotificationConf['status']>();
const errors: string[] = [];
let errorCount = 0;
const started = Date.now();
let stopping = false;
let stoppingSince = 0;

function recordError(identity: string, what: string, err: unknown): void {
  errorCount++;
  const status = (err as { code?: unknown } | undefined)?.code;
  const message = `${identity}: ${what} failed: ${err instanceof Error ? err.message : String(err)}` +
    `${typeof status === 'number' ? ` (HTTP ${status})` : ''}`;
  if (errors.length < 5) {
    errors.push(message);
    console.error(message);
  }
}

function identityOf(i: number): { identity: string; n: string } {
  const n = String(i + 1).padStart(4, '0');
  return { identity: count > 1 ? `${args.id}-${n}` : args.id, n };
}

async function runStation(i: number): Promise<void> {
  const { identity, n } = identityOf(i);
  const localAddress = localAddresses.length ? localAddresses[i % localAddresses.length] : undefined;
  const cp = new SimulatedChargePoint({
    url: args.url,
    identity,
    connectors,
    meterValueIntervalSec: meterInterval,
    retryBoot: true,
    autoReconnect: !args['no-reconnect'],
    ...(args.password !== undefined ? { password: args.password } : {}),
    ...(heartbeat !== undefined ? { heartbeatIntervalSec: heartbeat } : {}),
    ...(maxPowerW !== undefined ? { maxPowerW } : {}),
    ...(localAddress ? { localAddress } : {}),
    ...(args.verbose ? { log: (line: string) => console.log(line) } : {}),
  });
  stations.push(cp);
  let ready = false;
  cp.on('backgroundError', ({ action, error }: { action: string; error: unknown }) => {
    if (!stopping) recordError(identity, action, error); // calls cut short by the shutdown are no errors
  });
  cp.on('booted', (conf: BootNotificationConf) => {
    bootStatus.set(cp, conf.status);
    if (conf.status !== 'Accepted' || ready || stopping) return;
    ready = true;
    void (async () => {
      await cp.sendAllStatuses();
      if (args.charge) await cp.startCharging(1, args['id-tag'].replaceAll('{n}', n).slice(0, 20));
    })().catch((err) => recordError(identity, args.charge ? 'start charging' : 'StatusNotification', err));
  });
  for (;;) {
    try {
      await cp.connect();
      break;
    } catch (err) {
      recordError(identity, 'connect', err);
      const code = (err as { code?: unknown }).code;
      const fatal = code === 401 || code === 403 || code === 404;
      if (stopping || fatal || args['no-reconnect']) return;
      await new Promise((r) => setTimeout(r, 5000));
      if (stopping) return;
    }
  }
  await cp.boot().catch((err) => recordError(identity, 'BootNotification', err));
}

function progress(): void {
  const connected = stations.filter((s) => s.connected).length;
  const booted = { Accepted: 0, Pending: 0, Rejected: 0 };
  for (const status of bootStatus.values()) booted[status]++;
  let calls = 0;
  let callErrors = 0;
  let transactions = 0;
  for (const s of stations) {
    calls += s.stats.callsSent;
    callErrors += s.stats.callErrors;
    for (let c = 1; c <= s.connectorCount; c++) if (s.connector(c).transactionId !== undefined) transactions++;
  }
  const t = Math.round((Date.now() - started) / 1000);
  console.log(`[${String(t).padStart(5)}s] connected ${connected}/${count}  booted A:${booted.Accepted} P:${booted.Pending} R:${booted.Rejected}` +
    `  calls ${calls}  errors ${Math.max(errorCount, callErrors)}  transactions ${transactions}`);
}

async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    if (Date.now() - stoppingSince < 2000) return; // the same Ctrl-C relayed by npm/tsx
    console.log(`${signal} again: exiting immediately`);
    process.exit(130);
  }
  stopping = true;
  stoppingSince = Date.now();
  console.log(`${signal}: stopping transactions and closing ${stations.length} connection(s)…`);
  const force = setTimeout(() => {
    console.error('Shutdown took longer than 15 s, exiting');
    process.exit(1);
  }, 15_000);
  await Promise.all(stations.map(async (cp) => {
    if (cp.connected) await cp.stopAllCharging('Local');
    await cp.close().catch(() => {});
  }));
  clearTimeout(force);
  progress();
  process.exit(0);
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

console.log(`Simulating ${count} charge point(s) against ${args.url}` +
  `${duration !== undefined ? ` for ${duration} s` : ' (Ctrl-C to stop)'}`);
setInterval(progress, count > 1 ? 5000 : 3000).unref();
if (duration !== undefined) setTimeout(() => void shutdown('Duration elapsed'), duration * 1000);

const gapMs = ramp > 0 ? 1000 / ramp : 0;
const launches: Array<Promise<void>> = [];
for (let i = 0; i < count && !stopping; i++) {
  launches.push(runStation(i));
  if (gapMs > 0 && i < count - 1) await new Promise((r) => setTimeout(r, gapMs));
}
await Promise.all(launches);
progress();
if (!stopping && !stations.some((s) => s.connected)) {
  console.error('No charge point could connect; exiting.');
  process.exit(1);
}
