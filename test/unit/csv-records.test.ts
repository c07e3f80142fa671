import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvSyntaxError, readCsvRecords, type CsvRecord } from '../../src/locations/csv-records.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'csv-records-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let n = 0;
async function records(content: string | Buffer): Promise<CsvRecord[]> {
  const file = path.join(dir, `${n++}.csv`);
  await writeFile(file, content);
  const out: CsvRecord[] = [];
  for await (const batch of readCsvRecords(file)) out.push(...batch);
  return out;
}

describe('readCsvRecords', () => {
  it('numbers records by the line they start on, skipping blank lines', async () => {
    expect(await records('a,b\n\n1,2\n"q\nr",5\n\n,\n7,8\n')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 3, cells: ['1', '2'] },
      { line: 4, cells: ['q\nr', '5'] },
      { line: 8, cells: ['7', '8'] },
    ]);
  });

  it('counts CRLF line ends (also inside quoted fields) once, and drops a UTF-8 BOM', async () => {
    const rows = await records('\ufeffa,b\r\n1,2\r\n"x\r\ny",3\r\n4,5');
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3, 5]);
    expect(rows[0]!.cells).toEqual(['a', 'b']);
    expect(rows[2]!.cells).toEqual(['x\ny', '3']);
  });

  it('keeps a CRLF that is split across read chunks as one line end', async () => {
    // 64 KiB read chunks: the CR is the last byte of the first chunk, the LF the first of the second.
    const filler = 'x'.repeat(65_536 - 'a,b\r\n'.length - ',1'.length - 1);
    const content = `a,b\r\n${filler},1\r\nc,2\r\n`;
    expect(Buffer.byteLength(content.slice(0, content.indexOf('\r\nc')))).toBe(65_535);
    const rows = await records(content);
    expect(rows.map((r) => [r.line, r.cells[1]])).toEqual([[1, 'b'], [2, '1'], [3, '2']]);
  });

  it('trims cells and keeps quoted commas', async () => {
    expect((await records('a,b\n "x, y" , 2 \n'))[1]!.cells).toEqual(['x, y', '2']);
  });

  it('reads doubled quotes, quoted line breaks and empty cells, with or without a final line end', async () => {
    expect(await records('a,b,c\n"say ""hi""",,"x\ny"\n1,"",3')).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['say "hi"', '', 'x\ny'] },
      { line: 4, cells: ['1', '', '3'] },
    ]);
  });

  it('reads records across read chunks, also quoted fields cut by a chunk end', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `r${i},"q ""${i}""\nline",${'z'.repeat(i % 50)}`);
    const got = await records(`h1,h2,h3\n${rows.join('\n')}\n`);
    expect(got).toHaveLength(3001);
    expect(got[2999]).toEqual({ line: 2 * 2998 + 2, cells: ['r2998', 'q "2998"\nline', 'z'.repeat(2998 % 50)] });
  });

  it('hands over the records before a malformed one, then reports it', async () => {
    const file = path.join(dir, `${n++}.csv`);
    await writeFile(file, 'a,b\n1,2\n"x"y,3\n4,5\n');
    const got: CsvRecord[] = [];
    const err = await (async () => {
      for await (const batch of readCsvRecords(file)) got.push(...batch);
    })().catch((e: unknown) => e);
    expect(got.map((r) => r.line)).toEqual([1, 2]);
    expect(err).toMatchObject({ line: 3, reason: expect.stringMatching(/follows the closing quote/) });
  });

  it('refuses a record longer than the limit (an unclosed quote) without holding the rest of the file', async () => {
    const err = await records(`a,b\n1,"${'x,\n'.repeat(30_000)}`).catch((e: unknown) => e);
    expect(err).toMatchObject({ line: 2, reason: expect.stringMatching(/longer than/) });
  });

  it('reports malformed quoting with its line', async () => {
    await expect(records('a,b\n1,2\n3,x"y\n')).rejects.toMatchObject({ line: 3 });
    const err = await records('a,b\n1,"2\n3,4\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CsvSyntaxError);
    expect((err as CsvSyntaxError).reason).toMatch(/never closed/);
  });
});
