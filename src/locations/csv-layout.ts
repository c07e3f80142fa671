import type { z } from 'zod';
import { detached } from './csv-records.ts';
import {
  ConnectorSchema,
  connectorShape,
  EvseFieldsSchema,
  LocationFieldsSchema,
  type ConnectorFields,
  type EvseFields,
  type LocationFields,
} from './location-input.ts';

// The CSV layout of the location import (docs/csv-import.md): the columns, and how a header and a
// row are read into location, EVSE and connector fields.

export type ColumnLevel = 'location' | 'evse' | 'connector';

export interface CsvColumn {
  name: string;
  level: ColumnLevel;
  required: boolean;
  /** A list of codes separated by LIST_SEPARATOR. */
  list?: true;
}

export const LIST_SEPARATOR = '|';

/** In their documented order (docs/csv-import.md); a file may order its columns freely and leave optional ones out. */
export const CSV_COLUMNS: readonly CsvColumn[] = [
  { name: 'location_ref', level: 'location', required: true },
  { name: 'name', level: 'location', required: true },
  { name: 'address', level: 'location', required: true },
  { name: 'lat', level: 'location', required: true },
  { name: 'lng', level: 'location', required: true },
  { name: 'city', level: 'location', required: false },
  { name: 'province', level: 'location', required: false },
  { name: 'region', level: 'location', required: false },
  { name: 'postal_code', level: 'location', required: false },
  { name: 'country_code', level: 'location', required: false },
  { name: 'facilities', level: 'location', required: false, list: true },
  { name: 'parking_types', level: 'location', required: false, list: true },
  { name: 'parking_restrictions', level: 'location', required: false, list: true },
  { name: 'evse_uid', level: 'evse', required: true },
  { name: 'evse_id', level: 'evse', required: false },
  { name: 'serial_number', level: 'evse', required: false },
  { name: 'meter_type', level: 'evse', required: false },
  { name: 'status', level: 'evse', required: false },
  { name: 'kwh', level: 'evse', required: false },
  { name: 'capabilities', level: 'evse', required: false, list: true },
  { name: 'payment_types', level: 'evse', required: false, list: true },
  { name: 'connector_id', level: 'connector', required: true },
  { name: 'standard', level: 'connector', required: true },
  { name: 'format', level: 'connector', required: true },
  { name: 'power_type', level: 'connector', required: true },
  { name: 'max_voltage', level: 'connector', required: true },
  { name: 'max_amperage', level: 'connector', required: true },
  { name: 'max_electric_power', level: 'connector', required: true },
  { name: 'connector_type', level: 'connector', required: false },
  { name: 'rate_setting', level: 'connector', required: false },
];

export const COLUMN_BY_NAME = new Map(CSV_COLUMNS.map((c) => [c.name, c]));
/** Input field → CSV column, where they differ (the EVSE's uid is `evse_uid` in a flat row). */
export const COLUMN_OF_FIELD: Record<ColumnLevel, Record<string, string>> = { location: {}, evse: { uid: 'evse_uid' }, connector: {} };
export const FIELD_OF_COLUMN: Record<string, string> = { evse_uid: 'uid' };

export interface CsvIssue {
  /** Line in the file (the header is line 1). */
  line: number;
  /** The column the problem is in; null for the row as a whole. */
  column: string | null;
  reason: string;
}

export interface CsvRow {
  line: number;
  locationRef: string;
  location: LocationFields;
  evse: EvseFields;
  connector: ConnectorFields & { connectorId: number };
}

/** The valid codes of each reference table, upper case. */
export interface ReferenceCodeSets {
  connectorType: ReadonlySet<string>;
  facility: ReadonlySet<string>;
  capability: ReadonlySet<string>;
  paymentType: ReadonlySet<string>;
  parkingType: ReadonlySet<string>;
  parkingRestriction: ReadonlySet<string>;
}

export interface Header {
  line: number;
  width: number;
  index: Map<string, number>;
  /** Per level, the cell index of each of LEVEL_COLUMNS[level] (-1: not in the file). */
  cellsOf: Record<ColumnLevel, Int32Array>;
  /** The cell index of each of REFERENCE_CHECKS (-1: not in the file). */
  codeCells: Int32Array;
  refCell: number;
  connectorIdCell: number;
}

export function readHeader(cells: string[], line: number): { header: Header; issues: CsvIssue[] } {
  const issues: CsvIssue[] = [];
  const index = new Map<string, number>();
  cells.forEach((cell, i) => {
    const name = cell.toLowerCase();
    if (name === '') {
      // A trailing empty header cell (an editor's extra comma) is harmless; an empty one in between is not.
      if (cells.slice(i).some((c) => c !== '')) issues.push({ line, column: null, reason: `header field ${i + 1} is empty` });
    } else if (!COLUMN_BY_NAME.has(name)) {
      issues.push({ line, column: cell, reason: `unknown column; the columns are ${CSV_COLUMNS.map((c) => c.name).join(', ')}` });
    } else if (index.has(name)) {
      issues.push({ line, column: name, reason: 'column appears twice in the header' });
    } else {
      index.set(name, i);
    }
  });
  for (const column of CSV_COLUMNS) {
    if (column.required && !index.has(column.name)) issues.push({ line, column: column.name, reason: 'required column is missing from the header' });
  }
  const at = (name: string) => index.get(name) ?? -1;
  const cellsOf = (level: ColumnLevel) => Int32Array.from(LEVEL_COLUMNS[level], (c) => at(c.name));
  return {
    header: {
      line, width: cells.length, index,
      cellsOf: { location: cellsOf('location'), evse: cellsOf('evse'), connector: cellsOf('connector') },
      codeCells: Int32Array.from(REFERENCE_CHECKS, (c) => at(c.column)),
      refCell: at('location_ref'),
      connectorIdCell: at('connector_id'),
    },
    issues,
  };
}

export interface ParsedRow {
  issues: CsvIssue[];
  /** Per REFERENCE_CHECKS entry, the codes of its column as written (upper case, no repeats), valid row or not. */
  codes: ReadonlyArray<readonly string[] | undefined>;
  locationRef?: string;
  location?: LocationFields;
  evse?: EvseFields;
  connector?: ConnectorFields;
  connectorId?: number;
}

export const MAX_REF_LENGTH = 100;

const LEVEL_COLUMNS: Record<ColumnLevel, readonly CsvColumn[]> = {
  location: CSV_COLUMNS.filter((c) => c.level === 'location' && c.name !== 'location_ref'),
  evse: CSV_COLUMNS.filter((c) => c.level === 'evse'),
  // connector_id is read on its own (below): rows of an EVSE differ in it and share the rest.
  connector: CSV_COLUMNS.filter((c) => c.level === 'connector' && c.name !== 'connector_id'),
};

/**
 * The parsed values of recently seen cells, per level. A file repeats a location's columns on each of
 * its rows and an EVSE's on each connector's row, and connectors share a few specifications: most rows
 * need no schema run at all. Only values that parsed without issue are kept (issues carry the line),
 * and each map is emptied when full, so it stays small whatever the file's size. The parsed objects
 * are shared between rows and must not be changed.
 */
export class RowParseCache {
  static readonly MAX_ENTRIES = 4096;
  readonly levels: Record<ColumnLevel, Map<string, unknown>> = { location: new Map(), evse: new Map(), connector: new Map() };
  /** connector_id cell → its parsed id (or null when empty). */
  readonly connectorIds = new Map<string, number | null>();
  /** Per REFERENCE_CHECKS entry: cell → its codes. */
  readonly codes = REFERENCE_CHECKS.map(() => new Map<string, readonly string[]>());

  get(level: ColumnLevel, key: string): unknown {
    return this.levels[level].get(key);
  }

  set(level: ColumnLevel, key: string, value: unknown): void {
    this.bounded(this.levels[level]).set(key, value);
  }

  bounded<M extends Map<string, unknown>>(map: M): M {
    if (map.size >= RowParseCache.MAX_ENTRIES) map.clear();
    return map;
  }
}

const NO_ISSUES: CsvIssue[] = [];

export function parseRow(header: Header, cells: string[], line: number, cache = new RowParseCache()): ParsedRow {
  if (cells.length < header.width || cells.slice(header.width).some((c) => c !== '')) {
    return { issues: [{ line, column: null, reason: `expected ${header.width} fields like the header, found ${cells.length}` }], codes: [] };
  }
  let issues = NO_ISSUES;
  const report = (column: string | null, reason: string) => {
    if (issues === NO_ISSUES) issues = [];
    issues.push({ line, column, reason });
  };
  const check = <T>(level: ColumnLevel, schema: z.ZodType<T>): T | undefined => {
    const at = header.cellsOf[level];
    // Absent and empty cells parse alike: both are keyed as ''.
    let key = '';
    for (let i = 0; i < at.length; i++) key += `${at[i]! < 0 ? '' : cells[at[i]!]!}\u0000`;
    const cached = cache.get(level, key);
    if (cached !== undefined) return cached as T;
    const result = schema.safeParse(inputOf(LEVEL_COLUMNS[level], at, cells));
    if (result.success) {
      const value = withOwnTexts(result.data);
      cache.set(level, key, value);
      return value;
    }
    for (const issue of result.error.issues) {
      const field = String(issue.path[0] ?? '');
      report(COLUMN_OF_FIELD[level][field] ?? (field || null), issue.message);
    }
    return undefined;
  };

  const codes: Array<readonly string[] | undefined> = [];
  for (let k = 0; k < REFERENCE_CHECKS.length; k++) {
    const i = header.codeCells[k]!;
    const value = i < 0 ? '' : cells[i]!;
    if (value === '') {
      codes.push(undefined);
      continue;
    }
    let list = cache.codes[k]!.get(value);
    if (!list) {
      list = [...new Set(splitList(value).map((c) => c.toUpperCase()))];
      cache.bounded(cache.codes[k]!).set(value, list);
    }
    codes.push(list);
  }

  const ref = header.refCell < 0 ? '' : cells[header.refCell]!;
  let locationRef: string | undefined;
  if (ref === '') report('location_ref', 'is required');
  else if (ref.length > MAX_REF_LENGTH) report('location_ref', `must be at most ${MAX_REF_LENGTH} characters`);
  else locationRef = ref;
  const location = check('location', LocationFieldsSchema);
  const evse = check('evse', EvseFieldsSchema);
  // The id on its own, so a row with another bad connector column still counts for the id checks
  // (and the other connector columns, the same on many rows, can come from the cache).
  const idCell = header.connectorIdCell < 0 ? '' : cells[header.connectorIdCell]!;
  let id: number | null | undefined = cache.connectorIds.get(idCell);
  if (id === undefined) {
    const parsed = connectorShape.connector_id.safeParse(idCell === '' ? undefined : idCell);
    if (parsed.success) cache.bounded(cache.connectorIds).set(idCell, (id = parsed.data));
    else for (const issue of parsed.error.issues) report('connector_id', issue.message);
  }
  let connector = check('connector', ConnectorSchema);
  if (id === null) {
    report('connector_id', 'is required');
    connector = undefined;
  }
  return {
    issues, codes, locationRef, location, evse,
    connector: id === undefined ? undefined : connector,
    connectorId: id ?? undefined,
  };
}

/**
 * The parsed value with copies of its texts: it outlives its row (in the cache, in the batches being
 * written), and a text cut from the read chunk would keep the whole chunk alive (csv-records detached).
 */
function withOwnTexts<T>(value: T): T {
  const fields = value as Record<string, unknown>;
  for (const key in fields) if (typeof fields[key] === 'string') fields[key] = detached(fields[key]);
  return value;
}

function inputOf(columns: readonly CsvColumn[], at: Int32Array, cells: string[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  columns.forEach((column, i) => {
    const value = at[i]! < 0 || cells[at[i]!] === '' ? undefined : cells[at[i]!];
    input[FIELD_OF_COLUMN[column.name] ?? column.name] = column.list && value !== undefined ? splitList(value) : value;
  });
  return input;
}

export function splitList(value: string): string[] {
  return value
    .split(LIST_SEPARATOR)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** Columns holding reference-table codes; checked from the cells, so a row's other errors do not hide an unknown code. */
export const REFERENCE_CHECKS: ReadonlyArray<{ column: string; set: keyof ReferenceCodeSets; label: string }> = [
  { column: 'facilities', set: 'facility', label: 'facility' },
  { column: 'parking_types', set: 'parkingType', label: 'parking type' },
  { column: 'parking_restrictions', set: 'parkingRestriction', label: 'parking restriction' },
  { column: 'capabilities', set: 'capability', label: 'capability' },
  { column: 'payment_types', set: 'paymentType', label: 'payment type' },
  { column: 'standard', set: 'connectorType', label: 'connector type' },
  { column: 'connector_type', set: 'connectorType', label: 'connector type' },
];
