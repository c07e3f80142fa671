import { readCsvRecords, CsvSyntaxError } from './csv-records.ts';
import {
  LIST_SEPARATOR, REFERENCE_CHECKS, parseRow, readHeader,
  type CsvIssue, type CsvRow, type Header, type ReferenceCodeSets,
} from './csv-layout.ts';
import type { EvseFields, LocationFields } from './location-input.ts';

// Validates a location CSV in one streaming pass, holding per location and per EVSE only what the
// checks across rows need, and reads it again for the import; never touches the database
// (location.service does, through the callbacks it passes in).

export type { CsvIssue, CsvRow, ReferenceCodeSets } from './csv-layout.ts';
export { CSV_COLUMNS } from './csv-layout.ts';

// ---- pass 1: validation ----

export interface CsvValidationOptions {
  references: ReferenceCodeSets;
  /** Which of `uids` are already taken in the database; called with batches of new uids, not per row. */
  takenUids(uids: string[]): Promise<Iterable<string>>;
  /** How many issues are listed (all are counted). Default 1000. */
  maxReportedIssues?: number;
  /** Uids per takenUids call. Default 1000. */
  uidBatchSize?: number;
}

export interface CsvValidation {
  /** Sorted by line; at most maxReportedIssues. */
  issues: CsvIssue[];
  issueCount: number;
  /** Lines with at least one issue. */
  invalidLines: number;
  rows: number;
  locations: number;
  evses: number;
  /** Every EVSE uid of the file, in order of appearance (when the file is valid). */
  evseUids: string[];
}

const LOCATION_SIGNATURE_COLUMNS = [
  'name', 'address', 'lat', 'lng', 'city', 'province', 'region', 'postal_code', 'country_code', 'facilities', 'parking_types', 'parking_restrictions',
] as const;
const EVSE_SIGNATURE_COLUMNS = ['location_ref', 'evse_id', 'serial_number', 'meter_type', 'status', 'kwh', 'capabilities', 'payment_types'] as const;

const sortedList = (list: readonly string[]) => [...list].sort().join(LIST_SEPARATOR);
const decimalKey = (v: string | null) => (v === null ? null : String(Number(v)));

function locationSignature(l: LocationFields): Float64Array {
  return signature([
    l.name, l.address, decimalKey(l.lat), decimalKey(l.lng), l.city, l.province, l.region, l.postalCode, l.countryCode,
    sortedList(l.facilities), sortedList(l.parkingTypes), sortedList(l.parkingRestrictions),
  ]);
}

function evseSignature(ref: string, e: EvseFields): Float64Array {
  return signature([ref, e.evseId, e.serialNumber, e.meterType, e.status, decimalKey(e.kwh), sortedList(e.capabilities), sortedList(e.paymentTypes)]);
}

/**
 * What is kept of a location's or an EVSE's first row to compare later rows with: a 53-bit hash per
 * column (a few bytes instead of the values), enough to name the column that differs.
 */
function signature(values: ReadonlyArray<string | null>): Float64Array {
  return Float64Array.from(values, (v) => (v === null ? -1 : hash53(v)));
}

/** cyrb53 (public domain): a fast 53-bit string hash. */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** One bit per line: which lines have issues, without a set that grows by an object per line. */
class LineSet {
  private bits = new Uint8Array(1024);
  size = 0;
  add(line: number): void {
    const byte = line >>> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, byte + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (line & 7);
    if (!(this.bits[byte]! & mask)) {
      this.bits[byte]! |= mask;
      this.size++;
    }
  }
}

interface LocationSeen {
  line: number;
  signature: Float64Array;
}

interface EvseSeen {
  line: number;
  signature: Float64Array;
  connectorIds: number[];
}

/**
 * Pass 1 of the import: reads the whole file once and reports every problem with its line and column:
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

  const locations = new Map<string, LocationSeen>();
  const evses = new Map<string, EvseSeen>();
  let pendingUids = new Map<string, number>();
  const checkPendingUids = async () => {
    if (pendingUids.size === 0) return;
    const batch = pendingUids;
    pendingUids = new Map();
    for (const uid of await options.takenUids([...batch.keys()])) {
      report({ line: batch.get(uid) ?? 0, column: 'evse_uid', reason: `EVSE uid ${uid} is already registered (as an EVSE or as an OCPP charger)` });
    }
  };

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
      const row = parseRow(header, record.cells, record.line);
      row.issues.forEach(report);
      for (const check of REFERENCE_CHECKS) {
        for (const code of row.codes.get(check.column) ?? []) {
          if (!options.references[check.set].has(code)) {
            report({ line: record.line, column: check.column, reason: `unknown ${check.label} code ${code}; valid: ${[...options.references[check.set]].join(', ')}` });
          }
        }
      }
      const ref = row.locationRef;
      if (ref !== undefined && row.location) {
        const signature = locationSignature(row.location);
        const first = locations.get(ref);
        if (!first) locations.set(ref, { line: record.line, signature });
        else {
          compare(first.signature, signature, LOCATION_SIGNATURE_COLUMNS, (column) =>
            report({ line: record.line, column, reason: `differs from line ${first.line}, the first row of location_ref ${ref}` }));
        }
      }
      if (ref !== undefined && row.evse) {
        const uid = row.evse.uid;
        const signature = evseSignature(ref, row.evse);
        let seen = evses.get(uid);
        if (!seen) {
          seen = { line: record.line, signature, connectorIds: [] };
          evses.set(uid, seen);
          pendingUids.set(uid, record.line);
          if (pendingUids.size >= uidBatchSize) await checkPendingUids();
        } else {
          const first = seen;
          compare(first.signature, signature, EVSE_SIGNATURE_COLUMNS, (column) =>
            report({
              line: record.line,
              column,
              reason: column === 'location_ref'
                ? `EVSE ${uid} is already at another location_ref (line ${first.line}); an EVSE belongs to one location`
                : `differs from line ${first.line}, the first row of EVSE ${uid}`,
            }));
        }
        if (row.connectorId !== undefined) {
          const id = row.connectorId;
          if (seen.connectorIds.includes(id)) report({ line: record.line, column: 'connector_id', reason: `connector_id ${id} appears twice for EVSE ${uid}` });
          else seen.connectorIds.push(id);
        }
      }
    }
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    report({ line: err.line, column: null, reason: `${err.reason}; the rest of the file was not checked` });
  }
  if (!header && issueCount === 0) report({ line: 1, column: null, reason: 'the file is empty; expected a header row and at least one data row' });
  else if (header && rows === 0 && issueCount === 0) report({ line: lastLine + 1, column: null, reason: 'the file has a header but no data rows' });
  await checkPendingUids();
  for (const [uid, seen] of evses) {
    const ids = [...seen.connectorIds].sort((a, b) => a - b);
    if (ids.length > 0 && ids[ids.length - 1] !== ids.length) {
      report({
        line: seen.line,
        column: 'connector_id',
        reason: `EVSE ${uid} has connector ids ${ids.join(', ')}; they must be numbered 1 to ${ids.length} (OCPP connector ids)`,
      });
    }
  }

  issues.sort((a, b) => a.line - b.line);
  return {
    issues,
    issueCount,
    invalidLines: invalidLines.size,
    rows,
    locations: locations.size,
    evses: evses.size,
    evseUids: issueCount === 0 ? [...evses.keys()] : [],
  };
}

function compare(first: Float64Array, current: Float64Array, columns: readonly string[], onDiff: (column: string) => void): void {
  for (let i = 0; i < columns.length; i++) if (first[i] !== current[i]) onDiff(columns[i]!);
}

// ---- pass 2: reading a validated file ----

/**
 * The rows of a file validateLocationsCsv found valid, one at a time. Throws on anything invalid,
 * which only happens if the file changed between the passes.
 */
export async function* readLocationsCsv(path: string): AsyncGenerator<CsvRow> {
  let header: Header | undefined;
  for await (const record of readCsvRecords(path)) {
    if (!header) {
      const read = readHeader(record.cells, record.line);
      if (read.issues.length > 0) throw new Error(`CSV header became invalid after validation (line ${record.line})`);
      header = read.header;
      continue;
    }
    const row = parseRow(header, record.cells, record.line);
    if (row.issues.length > 0 || !row.locationRef || !row.location || !row.evse || !row.connector) {
      throw new Error(`CSV line ${record.line} became invalid after validation`);
    }
    yield {
      line: record.line,
      locationRef: row.locationRef,
      location: row.location,
      evse: row.evse,
      connector: { ...row.connector, connectorId: row.connector.connectorId! },
    };
  }
}
