import { readCsvRecords, CsvSyntaxError, detached } from './csv-records.ts';
import { LineSet, SeenTable, hash53 } from './csv-seen.ts';
import {
  LIST_SEPARATOR, REFERENCE_CHECKS, RowParseCache, parseRow, readHeader,
  type CsvIssue, type CsvRow, type Header, type ReferenceCodeSets,
} from './csv-layout.ts';
import type { EvseFields, LocationFields } from './location-input.ts';

// Reads a location CSV in one streaming pass: checks every row (also across rows, holding per location
// and per EVSE only what those checks need, never the rows) and, for an import, hands the rows over in
// batches while no problem has been found. Never touches the database itself: location.service does,
// through the callbacks it passes in, inside a transaction it rolls back if any problem turns up later.

export type { CsvIssue, CsvRow, ReferenceCodeSets } from './csv-layout.ts';
export { CSV_COLUMNS } from './csv-layout.ts';

export interface CsvValidationOptions {
  references: ReferenceCodeSets;
  /**
   * Which of `uids` are already taken in the database; called with batches of new uids, not per row:
   * for all of them without a sink, else for those of rows not written (a sink's write checks the others).
   */
  takenUids(uids: string[]): Promise<Iterable<string>>;
  /** How many issues are listed (all are counted). Default 1000. */
  maxReportedIssues?: number;
  /** Uids per takenUids call. Default 1000. */
  uidBatchSize?: number;
  /** Called with the number of data rows read so far, every PROGRESS_EVERY rows and at the end. */
  onProgress?(rows: number): void;
  /** For an import: where the rows go. Without it the file is only checked. */
  sink?: CsvRowSink;
}

/**
 * Receives the rows of the file in order, in batches, for as long as no problem has been found (none
 * after the first): the caller writes them in a transaction that it rolls back when the file turns out
 * invalid. The next batch is read while one is being written, and handed over before that write ends:
 * write is called again while its last call runs (never with more than two running), and must write
 * the batches in the order it was given them.
 */
export interface CsvRowSink {
  /**
   * Writes the batch unless one of its new EVSE uids (those first seen in it) is taken, as takenUids
   * tells; returns the taken ones, and then writes nothing. Checked with the write, the uids cost no
   * round trip of their own between two writes.
   */
  write(rows: CsvRow[]): Promise<Iterable<string>>;
  /** Rows per write. Default 1000. */
  batchSize?: number;
}

export const PROGRESS_EVERY = 1000;

export interface CsvValidation {
  /** Sorted by line; at most maxReportedIssues. */
  issues: CsvIssue[];
  issueCount: number;
  /** Lines with at least one issue. */
  invalidLines: number;
  rows: number;
  locations: number;
  evses: number;
}

const LOCATION_SIGNATURE_COLUMNS = [
  'name', 'address', 'lat', 'lng', 'city', 'province', 'region', 'postal_code', 'country_code', 'facilities', 'parking_types', 'parking_restrictions',
] as const;
const EVSE_SIGNATURE_COLUMNS = ['location_ref', 'evse_id', 'serial_number', 'meter_type', 'status', 'kwh', 'capabilities', 'payment_types'] as const;

const sortedList = (list: readonly string[]) => [...list].sort().join(LIST_SEPARATOR);
const decimalKey = (v: string | null) => (v === null ? null : String(Number(v)));

const locationValues = (l: LocationFields) => [
  l.name, l.address, decimalKey(l.lat), decimalKey(l.lng), l.city, l.province, l.region, l.postalCode, l.countryCode,
  sortedList(l.facilities), sortedList(l.parkingTypes), sortedList(l.parkingRestrictions),
];
/** Without location_ref, the first column, hashed per row: parsed EVSE values are shared between locations. */
const evseValues = (e: EvseFields) => [
  e.evseId, e.serialNumber, e.meterType, e.status, decimalKey(e.kwh), sortedList(e.capabilities), sortedList(e.paymentTypes),
];

function signature(cache: WeakMap<object, Float64Array>, parsed: object, make: () => Float64Array): Float64Array {
  let hashes = cache.get(parsed);
  if (!hashes) cache.set(parsed, (hashes = make()));
  return hashes;
}

/**
 * Reads the whole file once and reports every problem with its line and column:
 * malformed rows and values, unknown codes, a location or EVSE whose repeated columns differ between
 * its rows, repeated or missing connector ids, and uids already taken in the database.
 */
export async function validateLocationsCsv(path: string, options: CsvValidationOptions): Promise<CsvValidation> {
  const maxReported = options.maxReportedIssues ?? 1000;
  const uidBatchSize = options.uidBatchSize ?? 1000;
  const issues: CsvIssue[] = [];
  let issueCount = 0;
  const invalidLines = new LineSet();
  const report = (issue: CsvIssue) => {
    issueCount++;
    invalidLines.add(issue.line);
    // Kept to the end: copies that do not hold the file's text (csv-records).
    const column = issue.column === null ? null : detached(issue.column);
    if (issues.length < maxReported) issues.push({ line: issue.line, column, reason: detached(issue.reason) });
  };

  const locations = new SeenTable(LOCATION_SIGNATURE_COLUMNS);
  const evses = new SeenTable(EVSE_SIGNATURE_COLUMNS, true);
  /** New uids (with their first line) not yet checked: by takenUids, or by the write of their batch. */
  let pendingUids = new Map<string, number>();
  const reportTaken = (taken: Iterable<string>, lines: ReadonlyMap<string, number>) => {
    for (const uid of taken) {
      report({ line: lines.get(uid) ?? 0, column: 'evse_uid', reason: `EVSE uid ${uid} is already registered (as an EVSE or as an OCPP charger)` });
    }
  };
  // Checks run while reading goes on (behind a write on the same connection); settled before a write.
  let uidChecks: Promise<void> = Promise.resolve();
  const checkPendingUids = () => {
    if (pendingUids.size === 0) return;
    const batch = pendingUids;
    pendingUids = new Map();
    const check = options.takenUids([...batch.keys()]).then((taken) => reportTaken(taken, batch));
    uidChecks = Promise.all([uidChecks, check]).then(() => undefined);
    uidChecks.catch(() => undefined); // settled (and rethrown) by settleUidChecks
  };
  const settleUidChecks = async () => {
    if (!uidsCheckedByWrite()) checkPendingUids();
    const checks = uidChecks;
    uidChecks = Promise.resolve();
    // A failed write aborts the transaction these queries run in: report the write's error, not theirs.
    await checks.catch(async (err: unknown) => {
      await drainWrites();
      throw err;
    });
  };

  // Rows wait here until their batch is full. Two batches before them may be handed over: one being
  // written, the next waiting to be (prepared meanwhile, sent as soon as the first is done).
  const sink = options.sink;
  const batchSize = sink?.batchSize ?? 1000;
  let batch: CsvRow[] = [];
  const writes: Array<Promise<void>> = [];
  let writeFailed = false;
  /** Waits for the writes handed over until fewer than `max` are left; a failed one throws its own error. */
  const drainWrites = async (max = 1) => {
    while (writes.length >= max) await writes.shift();
  };
  // While rows are written, their batch's write checks their new uids (CsvRowSink); after a problem,
  // takenUids does, so that every taken uid of the file is reported.
  const uidsCheckedByWrite = () => sink !== undefined && issueCount === 0;
  const flush = async () => {
    await drainWrites(writeFailed ? 1 : 2); // a failed write ends the import here, with its own error
    if (!sink || batch.length === 0) return;
    await settleUidChecks();
    if (issueCount > 0) {
      batch = [];
      return;
    }
    const rowsOfBatch = batch;
    const uidsOfBatch = pendingUids;
    batch = [];
    pendingUids = new Map();
    const writing = sink.write(rowsOfBatch).then((taken) => reportTaken(taken, uidsOfBatch));
    writing.catch(() => {
      writeFailed = true; // handled (and rethrown) at the next flush
    });
    writes.push(writing);
  };

  const parseCache = new RowParseCache();
  // Parsed values are shared by the rows they repeat on (RowParseCache): their hashes are made once.
  const locationSignatures = new WeakMap<object, Float64Array>();
  const evseSignatures = new WeakMap<object, Float64Array>();
  let header: Header | undefined;
  let rows = 0;
  let lastLine = 0;
  try {
    for await (const records of readCsvRecords(path)) for (const record of records) {
      lastLine = record.line;
      if (!header) {
        const read = readHeader(record.cells, record.line);
        read.issues.forEach(report);
        if (read.issues.length > 0) break; // rows cannot be read against a broken header
        header = read.header;
        continue;
      }
      rows++;
      if (rows % PROGRESS_EVERY === 0) options.onProgress?.(rows);
      const row = parseRow(header, record.cells, record.line, parseCache);
      row.issues.forEach(report);
      // The checks below may still find this row bad: flush then drops the batch (issueCount > 0).
      if (sink && issueCount === 0 && row.locationRef !== undefined && row.location && row.evse && row.connector && row.connectorId !== undefined) {
        batch.push({ line: record.line, locationRef: row.locationRef, location: row.location, evse: row.evse, connector: { ...row.connector, connectorId: row.connectorId } });
      }
      REFERENCE_CHECKS.forEach((check, k) => {
        for (const code of row.codes[k] ?? []) {
          if (!options.references[check.set].has(code)) {
            report({ line: record.line, column: check.column, reason: `unknown ${check.label} code ${code}; valid: ${[...options.references[check.set]].join(', ')}` });
          }
        }
      });
      const ref = row.locationRef;
      if (ref !== undefined && row.location) {
        locations.use(signature(locationSignatures, row.location, () => locations.hash(locationValues(row.location!))));
        const first = locations.find(ref);
        if (first < 0) locations.add(ref, record.line);
        else {
          locations.compare(first, (column) =>
            report({ line: record.line, column, reason: `differs from line ${locations.line(first)}, the first row of location_ref ${ref}` }));
        }
      }
      if (ref !== undefined && row.evse) {
        const uid = row.evse.uid;
        evses.use(signature(evseSignatures, row.evse, () => evses.hash(evseValues(row.evse!))), hash53(ref));
        let seen = evses.find(uid);
        if (seen < 0) {
          seen = evses.add(uid, record.line);
          pendingUids.set(uid, record.line);
          if (pendingUids.size >= uidBatchSize && !uidsCheckedByWrite()) checkPendingUids();
        } else {
          const firstLine = evses.line(seen);
          evses.compare(seen, (column) =>
            report({
              line: record.line,
              column,
              reason: column === 'location_ref'
                ? `EVSE ${uid} is already at another location_ref (line ${firstLine}); an EVSE belongs to one location`
                : `differs from line ${firstLine}, the first row of EVSE ${uid}`,
            }));
        }
        if (row.connectorId !== undefined) {
          const id = row.connectorId;
          if (!evses.addConnectorId(seen, id)) report({ line: record.line, column: 'connector_id', reason: `connector_id ${id} appears twice for EVSE ${uid}` });
        }
      }
      if (batch.length >= batchSize || writeFailed) await flush();
    }
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    report({ line: err.line, column: null, reason: `${err.reason}; the rest of the file was not checked` });
  }
  if (!header && issueCount === 0) report({ line: 1, column: null, reason: 'the file is empty; expected a header row and at least one data row' });
  else if (header && rows === 0 && issueCount === 0) report({ line: lastLine + 1, column: null, reason: 'the file has a header but no data rows' });
  for (const [uid, entry] of evses.entries()) {
    const ids = evses.connectorIds(entry);
    if (ids.length > 0 && ids[ids.length - 1] !== ids.length) {
      report({
        line: evses.line(entry),
        column: 'connector_id',
        reason: `EVSE ${uid} has connector ids ${ids.join(', ')}; they must be numbered 1 to ${ids.length} (OCPP connector ids)`,
      });
    }
  }
  await flush();
  await drainWrites();
  await settleUidChecks(); // the uids of rows that were not written
  options.onProgress?.(rows);

  issues.sort((a, b) => a.line - b.line);
  return {
    issues,
    issueCount,
    invalidLines: invalidLines.size,
    rows,
    locations: locations.size,
    evses: evses.size,
  };
}
