import { detached } from './csv-records.ts';

// What the CSV import remembers of the locations and EVSEs it has seen, to check later rows against
// their first: in a few typed arrays that grow by doubling, not an object per location or EVSE, so a
// file of 100,000 rows costs megabytes, not tens of them (issue 8: memory must stay flat).

/** cyrb53 (public domain): a fast 53-bit string hash. */
export function hash53(text: string): number {
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

function grown<T extends Float64Array | Uint32Array>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(array.length * 2, needed));
  next.set(array);
  return next;
}

/** Connector ids are 1..99 (csv-layout): one bit each in 4 words. */
const ID_WORDS = 4;

/**
 * Per key (location_ref or EVSE uid): the line of its first row, a 53-bit hash per column of that row
 * (enough to name the column a later row differs in) and, for EVSEs, the connector ids seen.
 */
export class SeenTable {
  private readonly index = new Map<string, number>();
  private lines = new Float64Array(256);
  private hashes: Float64Array;
  private ids = new Uint32Array(0);
  /** The current row's hashes (use), reused row after row. */
  readonly scratch: Float64Array;

  constructor(
    readonly columns: readonly string[],
    private readonly withConnectorIds = false,
  ) {
    this.hashes = new Float64Array(256 * columns.length);
    this.scratch = new Float64Array(columns.length);
    if (withConnectorIds) this.ids = new Uint32Array(256 * ID_WORDS);
  }

  get size(): number {
    return this.index.size;
  }

  /** Hashes `values` (null → "not given"): a row's columns, or the last of them (see use). */
  hash(values: ReadonlyArray<string | null>): Float64Array {
    return Float64Array.from(values, (v) => (v === null ? -1 : hash53(v)));
  }

  /** Makes `leading` then `rest` (from hash) the current row's hashes, in `columns` order. */
  use(rest: Float64Array, ...leading: number[]): void {
    this.scratch.set(leading);
    this.scratch.set(rest, leading.length);
  }

  /** The entry of `key`, or -1. */
  find(key: string): number {
    return this.index.get(key) ?? -1;
  }

  /** Records `key` with the current scratch hashes as its first row. */
  add(key: string, line: number): number {
    const i = this.index.size;
    const width = this.columns.length;
    this.lines = grown(this.lines, i + 1);
    this.hashes = grown(this.hashes, (i + 1) * width);
    if (this.withConnectorIds) this.ids = grown(this.ids, (i + 1) * ID_WORDS);
    this.lines[i] = line;
    this.hashes.set(this.scratch, i * width);
    this.index.set(detached(key), i);
    return i;
  }

  line(entry: number): number {
    return this.lines[entry]!;
  }

  /** Calls onDiff with each column in which the current scratch hashes differ from the first row's. */
  compare(entry: number, onDiff: (column: string) => void): void {
    const width = this.columns.length;
    for (let c = 0; c < width; c++) if (this.hashes[entry * width + c] !== this.scratch[c]) onDiff(this.columns[c]!);
  }

  /** Records a connector id (1..99); false when the entry has it already. */
  addConnectorId(entry: number, id: number): boolean {
    const word = entry * ID_WORDS + (id >>> 5);
    const bit = 1 << (id & 31);
    if (this.ids[word]! & bit) return false;
    this.ids[word]! |= bit;
    return true;
  }

  /** The connector ids of an entry, ascending. */
  connectorIds(entry: number): number[] {
    const out: number[] = [];
    for (let id = 0; id < ID_WORDS * 32; id++) if (this.ids[entry * ID_WORDS + (id >>> 5)]! & (1 << (id & 31))) out.push(id);
    return out;
  }

  /** Keys with their entries, in the order they were added. */
  entries(): IterableIterator<[string, number]> {
    return this.index.entries();
  }
}

/** One bit per line: which lines have issues, without a set that grows by an object per line. */
export class LineSet {
  private bits = new Uint8Array(1024);
  size = 0;
  add(line: number): void {
    const byte = line >>> 3;
    if (byte >= this.bits.length) {
      const bigger = new Uint8Array(Math.max(this.bits.length * 2, byte + 1));
      bigger.set(this.bits);
      this.bits = bigger;
    }
    const mask = 1 << (line & 7);
    if (!(this.bits[byte]! & mask)) {
      this.bits[byte]! |= mask;
      this.size++;
    }
  }
}
