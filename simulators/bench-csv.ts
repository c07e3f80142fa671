// CSV import benchmark (issue 8, target 4): writes a location CSV of N rows (one per connector), imports
// it through location.service into a fresh database, and reports rows/s and memory: peak RSS sampled
// every 100 ms, and RSS and retained heap when 10 %, 50 % and 100 % of the rows are written (flat = the
// import holds no per-row state).
//   npm run bench:csv                                  PGlite in memory, 100,000 rows
//   DATABASE_URL=postgres://… npm run bench:csv        PostgreSQL: creates bench_csv_<ts>, drops it after
//   npm run bench:csv -- --rows 20000 --keep-csv
// Writes bench-results/csv.json.

import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import { openScratchDatabase } from './bench/bench-db.ts';
import { migrate } from '../src/db/migrate.ts';
import * as locationService from '../src/locations/location.service.ts';
import { createMailer } from '../src/mail/mailer.ts';
import { writeLocationsCsv } from './make-locations-csv.ts';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    out: { type: 'string', default: 'bench-results/csv.json' },
    'keep-csv': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log('usage: npm run bench:csv [-- --rows N --out FILE --keep-csv]   (DATABASE_URL set → PostgreSQL, else PGlite in memory)');
  process.exit(0);
}
const ROWS = Number(args.rows);
if (!Number.isSafeInteger(ROWS) || ROWS < 10) {
  console.error('--rows must be a whole number ≥ 10');
  process.exit(2);
}

const MB = 1024 * 1024;

// A full collection at the 10/50/100 % marks, so "retained" is what the import holds, not garbage not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;


interface Mark {
  percent: number;
  rows: number;
  atMs: number;
  rssMb: number;
  /** V8 heap after a full collection: what the import holds at that point. */
  heapRetainedMb: number;
  /** Outside the V8 heap (buffers, typed arrays), after the same collection. */
  externalMb: number;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-csv-'));
  const csvPath = path.join(dir, `locations-${ROWS}.csv`);
  const { handle, label, drop } = await openScratchDatabase('csv', 4);
  try {
    await migrate(handle.db);
    const db = handle.db;
    const owner = await db
      .insertInto('cpoOwner')
      .values({ name: 'Bench CPO', countryCode: 'PH', partyId: 'BEN', contactName: 'Ops', contactEmail: 'ops@bench.example' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const summary = await writeLocationsCsv(csvPath, { rows: ROWS });
    const bytes = (await stat(csvPath)).size;
    console.log(`${label}: ${summary.rows} rows, ${summary.locations} locations, ${summary.evses} EVSEs, ${mb(bytes)} MB of CSV`);

    const mailer = createMailer({ smtpUrl: undefined, from: 'bench@localhost', log: pino({ level: 'silent' }) });
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage.rss();
    let peakRss = rssBefore;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }, 100);
    const marks: Mark[] = [];
    const PERCENTS = [10, 50, 100];
    const started = performance.now();
    // One pass: rows are checked and written as they are read ('written' trails 'checked' by a batch).
    const result = await locationService.importLocationsCsv(db, owner.id, csvPath, { mailer }, {
      onProgress(phase, rows) {
        const percent = PERCENTS[marks.length];
        if (phase !== 'written' || percent === undefined || rows * 100 < percent * summary.rows) return;
        const atMs = performance.now() - started;
        peakRss = Math.max(peakRss, process.memoryUsage.rss());
        gc();
        const memory = process.memoryUsage();
        marks.push({ percent, rows, atMs: Math.round(atMs), rssMb: mb(memory.rss), heapRetainedMb: mb(memory.heapUsed), externalMb: mb(memory.external) });
      },
    });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());

    const count = async (table: 'location' | 'evse' | 'connector' | 'chargePoint' | 'mailOutbox') =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const written = { locations: await count('location'), evses: await count('evse'), connectors: await count('connector'), chargers: await count('chargePoint'), mails: await count('mailOutbox') };
    const complete = written.connectors === summary.rows && written.evses === summary.evses && written.locations === summary.locations && written.chargers === summary.evses && written.mails === 1;

    const rowsPerSecond = Math.round(result.rows / seconds);
    const report = {
      benchmark: 'csv-import',
      database: label,
      at: new Date().toISOString(),
      node: process.version,
      rows: result.rows,
      locations: result.locations,
      evses: result.evses,
      csvMb: mb(bytes),
      seconds: Math.round(seconds * 100) / 100,
      rowsPerSecond,
      target: { rowsPerSecond: 20000, met: rowsPerSecond >= 20000 },
      rssBeforeMb: mb(rssBefore),
      heapBeforeMb: mb(heapBefore),
      peakRssMb: mb(peakRss),
      peakRssAboveStartMb: mb(peakRss - rssBefore),
      marks,
      written,
      complete,
    };
    await mkdir(path.dirname(path.resolve(args.out)), { recursive: true });
    await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);

    console.log(`\nCSV import, ${label}`);
    console.table({
      rows: result.rows,
      'rows/s': rowsPerSecond,
      'total s': report.seconds,
      'RSS before MB': report.rssBeforeMb,
      'heap before MB': report.heapBeforeMb,
      'peak RSS MB (100 ms samples)': report.peakRssMb,
      'complete (all rows, EVSEs, chargers, 1 mail)': complete,
    });
    console.table(marks.map((m) => ({ '% of rows written': m.percent, rows: m.rows, 'ms': m.atMs, 'RSS MB': m.rssMb, 'heap retained MB': m.heapRetainedMb, 'external MB': m.externalMb })));
    console.log(`written to ${args.out}`);
    if (!complete) process.exitCode = 1;
  } finally {
    await handle.close();
    await drop();
    if (args['keep-csv']) console.log(`CSV kept at ${csvPath}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
