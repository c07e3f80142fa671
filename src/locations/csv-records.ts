import { createReadStream } from 'node:fs';

// Streams a CSV file as records with the line number each starts on (as an editor shows it), a read
// chunk of records at a time, never holding more than one chunk and one record in memory. A small
// hand-written parser: it runs on every byte of an import, and a general CSV library with line
// tracking cost several times the rest of the row's checks.

export interface CsvRecord {
  /** 1-based line where the record starts; a quoted field may carry it over several lines. */
  line: number;
  cells: string[];
}

/** The file is not well-formed CSV at `line`; nothing after it can be read reliably. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * `text` as a string of its own. Cells are cut (sliced) from the text of a whole read chunk, and V8
 * keeps that chunk alive for as long as any slice of it lives: what outlives its row (a uid kept for
 * the checks across rows, an issue's reason) must be copied, or memory grows with the file.
 */
export const detached = (text: string): string => (text.length < 13 ? text : (` ${text}`).slice(1));

/** One record (row) may not exceed this: a missing closing quote would otherwise swallow the whole file. */
export const MAX_RECORD_BYTES = 64 * 1024;

const REASONS = {
  notClosed: 'a quoted field is never closed (missing ")',
  openingQuote: 'a quote (") inside an unquoted field: quote the whole field and double the quotes inside it',
  closingQuote: 'a character follows the closing quote of a field',
  tooLong: `a row is longer than ${MAX_RECORD_BYTES} bytes (an unclosed quote?)`,
};

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/** Where a record ends in the text, or that it runs past the end of the text read so far. */
const INCOMPLETE = -1;

/**
 * The records of the file, in order, in batches (one per read chunk). Blank lines (and rows of empty
 * cells) are skipped; cells are trimmed; `""` inside quotes is a quote; CRLF counts as one line end,
 * also inside a quoted field, where it is kept as LF; a UTF-8 byte-order mark is dropped. Malformed
 * quoting throws CsvSyntaxError with the line its record starts on, after the records before it.
 */
export async function* readCsvRecords(path: string): AsyncGenerator<CsvRecord[]> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  let text = '';
  let line = 1;
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      text += chunk;
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
      const parsed = parseRecords(text, false, line);
      if (parsed.records.length > 0) yield parsed.records;
      if (parsed.error) throw parsed.error;
      line = parsed.line;
      text = text.slice(parsed.end);
      if (text.length > MAX_RECORD_BYTES) throw new CsvSyntaxError(line, REASONS.tooLong);
    }
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const parsed = parseRecords(text, true, line);
    if (parsed.records.length > 0) yield parsed.records;
    if (parsed.error) throw parsed.error;
  } finally {
    stream.destroy();
  }
}

interface Parsed {
  records: CsvRecord[];
  /** Where the first incomplete record starts, and its line. */
  end: number;
  line: number;
  /** Malformed quoting: the records before it are in `records`. */
  error?: CsvSyntaxError;
}

function parseRecords(text: string, atEnd: boolean, startLine: number): Parsed {
  const records: CsvRecord[] = [];
  let pos = 0;
  let line = startLine;
  try {
    while (pos < text.length) {
      const cells: string[] = [];
      const record = parseRecord(text, pos, atEnd, line, cells);
      if (record.end === INCOMPLETE) break;
      if (record.end - pos > MAX_RECORD_BYTES / 3 && Buffer.byteLength(text.slice(pos, record.end)) > MAX_RECORD_BYTES) {
        throw new CsvSyntaxError(line, REASONS.tooLong);
      }
      if (cells.some((cell) => cell !== '')) records.push({ line, cells });
      line += record.lines;
      pos = record.end;
    }
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    return { records, end: pos, line, error: err };
  }
  return { records, end: pos, line };
}

const isSpace = (c: number) => c === SPACE || c === TAB;

/**
 * One record from `start`: its trimmed cells into `cells`, the offset after its line end and the
 * number of line ends it took (inside quotes and the final one). INCOMPLETE when the text read so
 * far ends inside it (a CR at the very end may still be followed by its LF).
 */
function parseRecord(text: string, start: number, atEnd: boolean, line: number, cells: string[]): { end: number; lines: number } {
  const n = text.length;
  let pos = start;
  let lines = 0;
  for (;;) {
    let p = pos;
    while (p < n && isSpace(text.charCodeAt(p))) p++;
    let cell: string;
    if (p < n && text.charCodeAt(p) === QUOTE) {
      let value = '';
      let from = p + 1;
      let q = from;
      for (;;) {
        if (q >= n) {
          if (atEnd) throw new CsvSyntaxError(line, REASONS.notClosed);
          return { end: INCOMPLETE, lines: 0 };
        }
        const c = text.charCodeAt(q);
        if (c === QUOTE) {
          if (q + 1 >= n && !atEnd) return { end: INCOMPLETE, lines: 0 };
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(from, q + 1);
            q += 2;
            from = q;
            continue;
          }
          value += text.slice(from, q);
          q++;
          break;
        }
        if (c === CR && text.charCodeAt(q + 1) === LF) {
          value += text.slice(from, q);
          from = q + 1;
          lines++;
          q += 2;
          continue;
        }
        if (c === CR && q + 1 >= n && !atEnd) return { end: INCOMPLETE, lines: 0 };
        if (c === LF || c === CR) lines++;
        q++;
      }
      while (q < n && isSpace(text.charCodeAt(q))) q++;
      const after = q < n ? text.charCodeAt(q) : -1;
      if (after !== COMMA && after !== LF && after !== CR && after !== -1) throw new CsvSyntaxError(line, REASONS.closingQuote);
      cell = value.trim();
      p = q;
    } else {
      const from = p;
      let c = -1;
      while (p < n) {
        c = text.charCodeAt(p);
        if (c === COMMA || c === LF || c === CR) break;
        if (c === QUOTE) throw new CsvSyntaxError(line, REASONS.openingQuote);
        p++;
      }
      cell = text.slice(from, p).trim();
    }
    cells.push(cell);
    if (p >= n) return atEnd ? { end: n, lines } : { end: INCOMPLETE, lines: 0 };
    const c = text.charCodeAt(p);
    if (c === COMMA) {
      pos = p + 1;
      continue;
    }
    if (c === LF) return { end: p + 1, lines: lines + 1 };
    // CR: a CRLF or a lone CR ends the line; at the end of what was read, the LF may be yet to come.
    if (p + 1 >= n) return atEnd ? { end: n, lines: lines + 1 } : { end: INCOMPLETE, lines: 0 };
    return { end: text.charCodeAt(p + 1) === LF ? p + 2 : p + 1, lines: lines + 1 };
  }
}
