import { readCsvRecords, CsvSyntaxError } from './csv-records.ts';
import { LineSet, SeenTable } from './csv-seen.ts';
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
  /** Which of `uids` are already taken in the database; called with batches of new uids, not per row. */
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
 * invalid. Every new EVSE uid of a batch has been checked with takenUids before the batch is handed
 * over. The next batch is read while one is being written; write is never called concurrently.
 */
export interface CsvRowSink {
  write(rows: CsvRow[]): Promise<void>;
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
const evseValues = (ref: string, e: EvseFields) => [
  ref, e.evseId, e.serialNumber, e.meterType, e.status, decimalKey(e.kwh), sortedList(e.capabilities), sortedList(e.paymentTypes),
];

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
    if (issues.length < maxReported) issues.push(issue);
  };

  const locations = new SeenTable(LOCATION_SIGNATURE_COLUMNS);
  const evses = new SeenTable(EVSE_SIGNATURE_COLUMNS, true);
  let pendingUids = new Map<string, number>();
  const checkPendingUids = async () => {
    if (pendingUids.size === 0) return;
    const batch = pendingUids;
    pendingUids = new Map();
    // A failed write aborts the transaction this query runs in: report the write's error, not this one's.
    const taken = await options.takenUids([...batch.keys()]).catch(async (err: unknown) => {
      await writing;
      throw err;
    });
    for (const uid of taken) {
      report({ line: batch.get(uid) ?? 0, column: 'evse_uid', reason: `EVSE uid ${uid} is already registered (as an EVSE or as an OCPP charger)` });
    }
  };

  // Rows wait here until their batch is full; the batch before them may still be being written.
  const sink = options.sink;
  const batchSize = sink?.batchSize ?? 1000;
  let batch: CsvRow[] = [];
  let writing: Promise<void> | undefined;
  let writeFailed = false;
  const flush = async () => {
    if (writing) await writing; // a failed write ends the import here, with its own error
    writing = undefined;
    if (!sink || batch.length === 0) return;
    await checkPendingUids(); // a taken uid must be reported, not hit the unique index
    if (issueCount > 0) {
      batch = [];
      return;
    }
    const rowsOfBatch = batch;
    batch = [];
    writing = sink.write(rowsOfBatch);
    writing.catch(() => {
      writeFailed = true; // handled (and rethrown) at the next flush
    });
  };

  const parseCache = new RowParseCache();
  let header: Header | undefined;
  let rows = 0;
  let lastLine = 0;
  try {
    for await (const record of readCsvRecords(path)) {
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
      for (const check of REFERENCE_CHECKS) {
        for (const code of row.codes.get(check.column) ?? []) {
          if (!options.references[check.set].has(code)) {
            report({ line: record.line, column: check.column, reason: `unknown ${check.label} code ${code}; valid: ${[...options.references[check.set]].join(', ')}` });
          }
        }
      }
      const ref = row.locationRef;
      if (ref !== undefined && row.location) {
        locations.hash(locationValues(row.location));
        const first = locations.find(ref);
        if (first < 0) locations.add(ref, record.line);
        else {
          locations.compare(first, (column) =>
            report({ line: record.line, column, reason: `differs from line ${locations.line(first)}, the first row of location_ref ${ref}` }));
        }
      }
      if (ref !== undefined && row.evse) {
        const uid = row.evse.uid;
        evses.hash(evseValues(ref, row.evse));
        let seen = evses.find(uid);
        if (seen < 0) {
          seen = evses.add(uid, record.line);
          pendingUids.set(uid, record.line);
          if (pendingUids.size >= uidBatchSize) await checkPendingUids();
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
  await checkPendingUids();
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
  await flush(); // waits for the last write
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
