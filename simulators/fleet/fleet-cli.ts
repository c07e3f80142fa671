// Fleet load generator from the command line: thousands of lightweight OCPP 1.6J chargers.
//   npx tsx simulators/fleet/fleet-cli.ts --url ws://127.0.0.1:8080/ocpp --count 2000 --duration 60
//   … --count 20000 --workers 2 --ramp storm --addresses 4 --transactions random --meter-interval 30
// The chargers must be known to the server (registered without a password, or OCPP_UNKNOWN_CHARGERS=pending:
// they then stay Pending until registered). Prints a progress line every second and a summary at the end.

import { parseArgs } from 'node:util';
import { MAX_SAMPLES } from './fleet-payloads.ts';
import { FLEET_DEFAULTS, startFleet, type TransactionMode } from './fleet.ts';

const { values: a } = parseArgs({
  options: {
    url: { type: 'string', default: 'ws://127.0.0.1:8080/ocpp' },
    count: { type: 'string', default: '1000' },
    workers: { type: 'string', default: String(FLEET_DEFAULTS.workers) },
    prefix: { type: 'string', default: FLEET_DEFAULTS.idPrefix },
    ramp: { type: 'string', default: 'storm' },
    connectors: { type: 'string', default: String(FLEET_DEFAULTS.connectors) },
    heartbeat: { type: 'string' },
    'meter-interval': { type: 'string', default: String(FLEET_DEFAULTS.meterIntervalS) },
    samples: { type: 'string', default: String(FLEET_DEFAULTS.samples) },
    transactions: { type: 'string', default: FLEET_DEFAULTS.transactions },
    'tx-gap': { type: 'string', default: String(FLEET_DEFAULTS.txGapS) },
    'tx-length': { type: 'string', default: String(FLEET_DEFAULTS.txLengthS) },
    duration: { type: 'string' },
    addresses: { type: 'string' },
    'no-status': { type: 'boolean', default: false },
    'no-reconnect': { type: 'boolean', default: false },
    'call-timeout': { type: 'string', default: String(FLEET_DEFAULTS.callTimeoutS) },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const HELP = `usage: npx tsx simulators/fleet/fleet-cli.ts [options]
  --url URL               central system base URL, identity appended (${'ws://127.0.0.1:8080/ocpp'})
  --count N               chargers (1000)                --workers N   child processes (2)
  --prefix P              identities P000001, P000002…  (FLEET-)
  --ramp R|storm          connections per second, or all at once (storm)
  --connectors N          per charger (1)               --heartbeat S   override the server's interval
  --meter-interval S      MeterValues period in a session; 0 = back to back (60)
  --samples N             sampled values per MeterValues, 1-${MAX_SAMPLES} (6)
  --transactions MODE     none | random | remote | always (none)
  --tx-gap S --tx-length S  random mode: mean idle gap and mean session length (600, 1800)
  --duration S            stop after S seconds (default: run until Ctrl-C)
  --addresses N           loopback source addresses 127.0.0.2… (default: one per 5,000 chargers)
  --no-status             no StatusNotification after boot
  --no-reconnect          a dropped charger stays away
  --call-timeout S        (60)`;

if (a.help) {
  console.log(HELP);
  process.exit(0);
}
const num = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a non-negative number\n\n${HELP}`);
    process.exit(2);
  }
  return n;
};
const transactions = a.transactions as TransactionMode;
if (!['none', 'random', 'remote', 'always'].includes(transactions)) {
  console.error(`--transactions must be none, random, remote or always\n\n${HELP}`);
  process.exit(2);
}
const count = num('count', a.count);
const samples = num('samples', a.samples);
if (samples < 1 || samples > MAX_SAMPLES) {
  console.error(`--samples must be 1 to ${MAX_SAMPLES}`);
  process.exit(2);
}

const fleet = await startFleet({
  url: a.url!.replace(/\/$/, ''),
  count,
  workers: num('workers', a.workers),
  idPrefix: a.prefix!,
  ramp: a.ramp === 'storm' ? 'storm' : num('ramp', a.ramp),
  connectors: num('connectors', a.connectors),
  heartbeatIntervalS: a.heartbeat === undefined ? undefined : num('heartbeat', a.heartbeat),
  meterIntervalS: num('meter-interval', a['meter-interval']),
  samples,
  transactions,
  txGapS: num('tx-gap', a['tx-gap']),
  txLengthS: num('tx-length', a['tx-length']),
  durationS: a.duration === undefined ? undefined : num('duration', a.duration),
  addresses: a.addresses === undefined ? Math.ceil(count / 5000) : num('addresses', a.addresses),
  statusOnBoot: !a['no-status'],
  reconnect: !a['no-reconnect'],
  callTimeoutS: num('call-timeout', a['call-timeout']),
}, { onProgress: (line) => console.log(line) });

void fleet.allBooted.then((at) => console.log(`all ${count} chargers booted (Accepted) ${((at - fleet.t0) / 1000).toFixed(2)} s after start`));
process.once('SIGINT', () => void fleet.stop());
process.once('SIGTERM', () => void fleet.stop());

const result = await fleet.done;
const seconds = (result.stoppedAt - result.t0) / 1000;
console.log(`\nstopped after ${seconds.toFixed(1)} s`);
console.table(result.counters);
console.table(Object.fromEntries(Object.entries(result.latency).map(([action, h]) => [action, h.summary()])));
