import { createReadStream } from 'node:fs';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { CsvError, parse } from 'csv-parse';

// Streams a CSV file as records with the line number each starts on (as an editor shows it), never
// holding more than one record in memory.

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

/** One record (row) may not exceed this: a missing closing quote would otherwise swallow the whole file. */
export const MAX_RECORD_BYTES = 64 * 1024;

const SYNTAX_REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed (missing ")',
  INVALID_OPENING_QUOTE: 'a quote (") inside an unquoted field: quote the whole field and double the quotes inside it',
  CSV_INVALID_CLOSING_QUOTE: 'a character follows the closing quote of a field',
  CSV_MAX_RECORD_SIZE: `a row is longer than ${MAX_RECORD_BYTES} bytes (an unclosed quote?)`,
};

export async function* readCsvRecords(path: string): AsyncGenerator<CsvRecord> {
  const parser = parse({
    bom: true,
    // Rows with too few or too many fields are reported by the caller, with their line.
    relax_column_count: true,
    info: true,
    // The raw text of each record tells how many lines it spans, hence the line it starts on.
    raw: true,
    // Blank lines are skipped below, where the line count stays right.
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_BYTES,
    // Spaces around fields, also before an opening quote (`a, "b, c"`), as spreadsheets write them.
    trim: true,
    // A malformed record must not discard the good records read before it (a stream error would):
    // it is reported as 'skip', and reading stops at it, since nothing after it can be trusted.
    skip_records_with_error: true,
  });
  let syntaxError: CsvSyntaxError | undefined;
  parser.on('skip', (err: CsvError & { lines?: number; raw?: string }) => {
    syntaxError ??= new CsvSyntaxError(startLine(err.lines ?? 1, err.raw ?? ''), SYNTAX_REASONS[err.code] ?? 'malformed CSV');
  });
  pipeline(createReadStream(path), crlfToLf(), parser, () => {
    // Errors surface through the iteration of `parser` below.
  });
  try {
    for await (const { record, info, raw } of parser as AsyncIterable<{ record: string[]; info: { lines: number }; raw: string }>) {
      const line = startLine(info.lines, raw);
      if (syntaxError && line >= syntaxError.line) break;
      if (record.every((cell) => cell.trim() === '')) continue;
      yield { line, cells: record.map((cell) => cell.trim()) };
    }
  } catch (err) {
    if (err instanceof CsvError) {
      const e = err as CsvError & { lines?: number; raw?: string };
      throw new CsvSyntaxError(startLine(e.lines ?? 1, e.raw ?? ''), SYNTAX_REASONS[err.code] ?? 'malformed CSV');
    }
    throw err;
  } finally {
    parser.destroy();
  }
  if (syntaxError) throw syntaxError;
}

/** A record's first line: the line it ends on, less the line breaks inside it (not counting a final one). */
function startLine(endLine: number, raw: string): number {
  let breaks = 0;
  for (let i = 0; i < raw.length; i++) if (raw.charCodeAt(i) === 0x0a || raw.charCodeAt(i) === 0x0d) breaks++;
  const last = raw.charCodeAt(raw.length - 1);
  if (last === 0x0a || last === 0x0d) breaks--;
  return Math.max(1, endLine - breaks);
}

const CR = 0x0d;
const CRLF = Buffer.from('\r\n');

/**
 * csv-parse counts a CRLF inside a quoted field as two lines; with plain LF its line numbers are
 * right. CR and LF bytes never occur inside a UTF-8 multi-byte sequence, so this is safe on bytes.
 */
function crlfToLf(): Transform {
  let heldCr = false;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      let buf = heldCr ? Buffer.concat([Buffer.from([CR]), chunk]) : chunk;
      heldCr = buf.length > 0 && buf[buf.length - 1] === CR;
      if (heldCr) buf = buf.subarray(0, -1);
      const parts: Buffer[] = [];
      let start = 0;
      for (let i = buf.indexOf(CRLF, start); i !== -1; i = buf.indexOf(CRLF, start)) {
        parts.push(buf.subarray(start, i));
        start = i + 1; // drop the CR, keep the LF
      }
      parts.push(buf.subarray(start));
      callback(null, parts.length === 1 ? parts[0] : Buffer.concat(parts));
    },
    flush(callback: TransformCallback) {
      callback(null, heldCr ? Buffer.from([CR]) : undefined);
    },
  });
}
