import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS, validateLocationsCsv, type CsvRow, type ReferenceCodeSets } from '../../src/locations/csv-import.ts';
import { writeLocationsCsv } from '../../simulators/make-locations-csv.ts';

const SAMPLE = path.resolve(import.meta.dirname, '../fixtures/locations-sample.csv');

// The seeded reference codes (migrations/2026-11-22T0200-cpo-api.ts).
const REFERENCES: ReferenceCodeSets = {
  connectorType: new Set(['TYPE_1', 'TYPE_2', 'CHADEMO', 'GBT', 'CCS1', 'CCS2']),
  facility: new Set(['BANKS/ATM', 'CAFE', 'CINEMA', 'DRUGSTORE', 'GAS_STATION', 'GROCERIES', 'HARDWARE_SHOPS', 'HOTEL', 'MALL', 'PARKING_LOT', 'POOL', 'RESTAURANTS', 'RESTROOM', 'SHOPS', 'WATER_SPORTS', 'WIFI']),
  capability: new Set(['CREDIT_DEBIT_PAYABLE', 'QR_READER', 'PRIVILEGE_AND_LOYALTY']),
  paymentType: new Set(['GCASH', 'MAYA']),
  parkingType: new Set(['INDOOR', 'OUTDOOR']),
  parkingRestriction: new Set(['EV_ONLY', 'PLUGGED', 'DISABLED', 'CUSTOMERS', 'MOTORCYCLES']),
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'csv-import-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let fileNo = 0;
async function file(lines: string[]): Promise<string> {
  const p = path.join(dir, `${fileNo++}.csv`);
  await writeFile(p, `${lines.join('\n')}\n`);
  return p;
}

const noneTaken = async () => [];

const HEADER = 'location_ref,name,address,lat,lng,facilities,evse_uid,status,capabilities,connector_id,standard,format,power_type,max_voltage,max_amperage,max_electric_power';
const row = (over: Partial<Record<string, string>> = {}) => {
  const base: Record<string, string> = {
    location_ref: 'L1', name: 'Hub', address: '"1 Main St, Town"', lat: '14.5', lng: '121.0', facilities: 'CAFE|WIFI', evse_uid: 'E1', status: 'AVAILABLE',
    capabilities: 'QR_READER', connector_id: '1', standard: 'TYPE_2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: '400', max_amperage: '32', max_electric_power: '22',
  };
  return HEADER.split(',').map((c) => over[c] ?? base[c]).join(',');
};

describe('validateLocationsCsv', () => {
  it('accepts the shipped sample file', async () => {
    const result = await validateLocationsCsv(SAMPLE, { references: REFERENCES, takenUids: noneTaken });
    expect(result.issues).toEqual([]);
    expect(result).toMatchObject({ issueCount: 0, rows: 6, locations: 3, evses: 4 });
  });

  it('documents every column it accepts (docs/csv-import.md lists the same)', () => {
    expect(CSV_COLUMNS.filter((c) => c.required).map((c) => c.name)).toEqual([
      'location_ref', 'name', 'address', 'lat', 'lng', 'evse_uid', 'connector_id', 'standard', 'format', 'power_type', 'max_voltage', 'max_amperage', 'max_electric_power',
    ]);
  });

  it('reports every bad row with its line and column', async () => {
    const p = await file([
      HEADER,
      row(), // 2: fine
      row({ connector_id: '2', lat: '91', max_voltage: 'abc' }), // 3: two problems, and lat differs from line 2
      row({ location_ref: 'L2', evse_uid: 'E2', facilities: 'CAFE|SAUNA', power_type: 'AC' }), // 4: unknown facility; "AC" is fine
      '', // 5: blank, skipped
      row({ location_ref: 'L2', evse_uid: 'E3', name: '' }), // 6: missing name
      row({ evse_uid: 'E1', connector_id: '1' }), // 7: connector 1 of E1 again
      row({ location_ref: 'L2', evse_uid: 'E1', connector_id: '3', facilities: 'CAFE|SAUNA' }), // 8: E1 moved to L2; then E1 has ids 1,2,3… fine; SAUNA again
      'L3,too,few', // 9
      row({ location_ref: 'L4', evse_uid: 'bad uid!', format: 'PLUG' }), // 10
    ]);
    const result = await validateLocationsCsv(p, { references: REFERENCES, takenUids: noneTaken });
    const byLine = (line: number) => result.issues.filter((i) => i.line === line).map((i) => [i.column, i.reason]);
    expect(byLine(2)).toEqual([]);
    expect(byLine(3)).toEqual(expect.arrayContaining([
      ['lat', 'must be between -90 and 90'],
      ['max_voltage', expect.stringMatching(/whole number/)],
    ]));
    expect(byLine(4)).toEqual([['facilities', expect.stringMatching(/^unknown facility code SAUNA; valid: /)]]);
    expect(byLine(5)).toEqual([]);
    expect(byLine(6)).toEqual([['name', 'is required']]);
    expect(byLine(7)).toEqual([['connector_id', 'connector_id 1 appears twice for EVSE E1']]);
    expect(byLine(8)).toEqual(expect.arrayContaining([
      ['facilities', expect.stringMatching(/SAUNA/)],
      ['location_ref', expect.stringMatching(/EVSE E1 is already at another location_ref \(line 2\)/)],
    ]));
    expect(byLine(9)).toEqual([[null, 'expected 16 fields like the header, found 3']]);
    expect(byLine(10).map(([c]) => c)).toEqual(['evse_uid', 'format']);
    expect(result.invalidLines).toBe(7);
    expect(result.issues.map((i) => i.line)).toEqual([...result.issues.map((i) => i.line)].sort((a, b) => a - b));
  });

  it('reports repeated location or EVSE columns that differ, naming the column', async () => {
    const p = await file([
      HEADER,
      row(),
      row({ connector_id: '2', name: 'Other hub', facilities: 'WIFI|CAFE' }), // facilities in another order are the same
      row({ evse_uid: 'E2', status: 'BLOCKED', capabilities: 'QR_READER' }),
      row({ evse_uid: 'E2', connector_id: '2', status: 'AVAILABLE' }),
    ]);
    const result = await validateLocationsCsv(p, { references: REFERENCES, takenUids: noneTaken });
    expect(result.issues).toEqual([
      { line: 3, column: 'name', reason: 'differs from line 2, the first row of location_ref L1' },
      { line: 5, column: 'status', reason: 'differs from line 4, the first row of EVSE E2' },
    ]);
  });

  it('wants connector ids 1..n per EVSE', async () => {
    const p = await file([HEADER, row({ connector_id: '1' }), row({ connector_id: '3' })]);
    const result = await validateLocationsCsv(p, { references: REFERENCES, takenUids: noneTaken });
    expect(result.issues).toEqual([{ line: 2, column: 'connector_id', reason: 'EVSE E1 has connector ids 1, 3; they must be numbered 1 to 2 (OCPP connector ids)' }]);
  });

  it('asks the database about new uids in batches, not per row', async () => {
    const p = path.join(dir, 'generated.csv');
    await writeLocationsCsv(p, { rows: 2500, evsesPerLocation: 5, connectorsPerEvse: 2, uidPrefix: 'G' });
    const calls: number[] = [];
    const result = await validateLocationsCsv(p, {
      references: REFERENCES,
      uidBatchSize: 500,
      takenUids: async (uids) => {
        calls.push(uids.length);
        return uids.filter((u) => u === 'G-0000007' || u === 'G-0001250');
      },
    });
    expect(calls).toEqual([500, 500, 250]);
    expect(result.issues).toEqual([
      { line: 14, column: 'evse_uid', reason: 'EVSE uid G-0000007 is already registered (as an EVSE or as an OCPP charger)' },
      { line: 2500, column: 'evse_uid', reason: 'EVSE uid G-0001250 is already registered (as an EVSE or as an OCPP charger)' },
    ]);
    expect(result).toMatchObject({ rows: 2500, locations: 250, evses: 1250 });
  });

  it('checks the header first', async () => {
    const p = await file(['location_ref,name,colour,name', row()]);
    const result = await validateLocationsCsv(p, { references: REFERENCES, takenUids: noneTaken });
    expect(result.issues[0]).toEqual({ line: 1, column: 'colour', reason: expect.stringMatching(/^unknown column/) });
    expect(result.issues[1]).toEqual({ line: 1, column: 'name', reason: 'column appears twice in the header' });
    expect(result.issues.slice(2).map((i) => i.column)).toEqual(['address', 'lat', 'lng', 'evse_uid', 'connector_id', 'standard', 'format', 'power_type', 'max_voltage', 'max_amperage', 'max_electric_power']);
    expect(result.invalidLines).toBe(1);
  });

  it('refuses empty files and header-only files', async () => {
    const empty = path.join(dir, 'empty.csv');
    await writeFile(empty, '');
    expect((await validateLocationsCsv(empty, { references: REFERENCES, takenUids: noneTaken })).issues).toEqual([
      { line: 1, column: null, reason: expect.stringMatching(/empty/) },
    ]);
    expect((await validateLocationsCsv(await file([HEADER]), { references: REFERENCES, takenUids: noneTaken })).issues).toEqual([
      { line: 2, column: null, reason: 'the file has a header but no data rows' },
    ]);
  });

  it('lists at most maxReportedIssues but counts them all', async () => {
    const p = await file([HEADER, ...Array.from({ length: 30 }, (_, i) => row({ evse_uid: `E${i}`, lat: 'north' }))]);
    const result = await validateLocationsCsv(p, { references: REFERENCES, takenUids: noneTaken, maxReportedIssues: 10 });
    expect(result.issues).toHaveLength(10);
    expect(result.issueCount).toBe(30);
    expect(result.invalidLines).toBe(30);
  });

  it('reports a syntax error and what was found before it', async () => {
    const p = await file([HEADER, row({ lat: 'x' }), row({ connector_id: '2', name: 'a"b' })]);
    const result = await validateLocationsCsv(p, { references: REFERENCES, takenUids: noneTaken });
    expect(result.issues).toEqual([
      { line: 2, column: 'lat', reason: expect.stringMatching(/decimal/) },
      { line: 3, column: null, reason: expect.stringMatching(/quote.*the rest of the file was not checked/) },
    ]);
  });
});

describe('validateLocationsCsv with a sink (the import)', () => {
  it('hands over the typed rows of a valid file, in order and in batches', async () => {
    const rows: CsvRow[] = [];
    const batches: number[] = [];
    const result = await validateLocationsCsv(SAMPLE, {
      references: REFERENCES,
      takenUids: noneTaken,
      sink: { batchSize: 4, write: async (batch) => { batches.push(batch.length); rows.push(...batch); return []; } },
    });
    expect(result.issueCount).toBe(0);
    expect(batches).toEqual([4, 2]);
    expect(rows).toHaveLength(6);
    expect(rows[0]).toEqual({
      line: 2,
      locationRef: 'MALL-1',
      location: {
        name: 'SM City Sample', address: 'Pan-Philippine Hwy, Olongapo', lat: '14.836500', lng: '120.282900', city: 'Olongapo', province: 'Zambales',
        region: 'Region III', postalCode: '2200', countryCode: 'PH', facilities: ['MALL', 'RESTROOM', 'WIFI'], parkingTypes: ['INDOOR'], parkingRestrictions: ['CUSTOMERS', 'EV_ONLY'],
      },
      evse: {
        uid: 'SAMPLE-EVSE-001', evseId: 'PH*SMP*E001', serialNumber: 'SN-1001', meterType: 'AC', status: 'AVAILABLE', kwh: '22',
        capabilities: ['CREDIT_DEBIT_PAYABLE', 'QR_READER'], paymentTypes: ['GCASH', 'MAYA'],
      },
      connector: {
        connectorId: 1, standard: 'TYPE_2', format: 'SOCKET', powerType: 'AC_3_PHASE', maxVoltage: 400, maxAmperage: 32, maxElectricPower: 22, connectorType: 'TYPE_2', rateSetting: '18.50',
      },
    });
    expect(rows[4]!.evse).toMatchObject({ evseId: null, serialNumber: null, capabilities: ['CREDIT_DEBIT_PAYABLE'] });
    expect(rows[4]!.connector).toMatchObject({ connectorType: null, rateSetting: null });
  });
});

describe('validateLocationsCsv with a sink: what is written', () => {
  const collect = async (p: string, takenUids: (uids: string[]) => Promise<string[]> = noneTaken, batchSize = 2) => {
    const written: number[] = [];
    const uidChecks: string[][] = [];
    const check = async (uids: string[]) => { uidChecks.push(uids); return takenUids(uids); };
    // Like the import's writer: checks the uids first seen in the batch, and writes nothing if one is taken.
    const seen = new Set<string>();
    const result = await validateLocationsCsv(p, {
      references: REFERENCES,
      takenUids: check,
      sink: {
        batchSize,
        write: async (batch) => {
          const fresh = [...new Set(batch.map((r) => r.evse.uid))].filter((uid) => !seen.has(uid));
          fresh.forEach((uid) => seen.add(uid));
          const taken = await check(fresh);
          if (taken.length === 0) written.push(...batch.map((r) => r.line));
          return taken;
        },
      },
    });
    return { result, written, uidChecks };
  };

  it('writes nothing more once a problem is found, and still checks the rest', async () => {
    const p = await file([HEADER, row(), row({ connector_id: '2' }), row({ evse_uid: 'E2' }), row({ evse_uid: 'E2', connector_id: '2', lat: 'x' }), row({ evse_uid: 'E3' }), row({ evse_uid: 'E4', max_voltage: '0' })]);
    const { result, written } = await collect(p);
    expect(written).toEqual([2, 3]); // the batch of lines 4-5 holds the bad line 5: not handed over
    expect(result.issues.map((i) => [i.line, i.column])).toEqual([[5, 'lat'], [7, 'max_voltage']]);
  });

  it('checks the new uids of a batch before handing it over, and hands over none after a taken one', async () => {
    const p = await file([HEADER, row(), row({ evse_uid: 'E2' }), row({ evse_uid: 'E3' }), row({ evse_uid: 'E4' })]);
    const { result, written, uidChecks } = await collect(p, async (uids) => uids.filter((u) => u === 'E3'));
    expect(uidChecks).toEqual([['E1', 'E2'], ['E3', 'E4']]);
    expect(written).toEqual([2, 3]);
    expect(result.issues).toEqual([{ line: 4, column: 'evse_uid', reason: 'EVSE uid E3 is already registered (as an EVSE or as an OCPP charger)' }]);
  });

  it('still reports every taken uid after a write found one', async () => {
    const p = await file([HEADER, ...['E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7'].map((uid) => row({ evse_uid: uid }))]);
    const { result, written } = await collect(p, async (uids) => uids.filter((u) => u === 'E3' || u === 'E7'));
    expect(written).toEqual([2, 3]);
    expect(result.issues.map((i) => [i.line, i.column])).toEqual([[4, 'evse_uid'], [8, 'evse_uid']]);
  });

  it('ends with the error of the first failed write, not those of the calls after it', async () => {
    const p = path.join(dir, 'failing.csv');
    await writeLocationsCsv(p, { rows: 60, evsesPerLocation: 2, connectorsPerEvse: 1, uidPrefix: 'F' });
    let writes = 0;
    const failure = new Error('write failed');
    const promise = validateLocationsCsv(p, {
      references: REFERENCES,
      uidBatchSize: 5,
      takenUids: async () => {
        if (writes > 0) throw new Error('current transaction is aborted');
        return [];
      },
      sink: {
        batchSize: 10,
        write: async () => {
          const n = ++writes;
          await new Promise((r) => setTimeout(r, n === 1 ? 20 : 1));
          throw n === 1 ? failure : new Error('current transaction is aborted');
        },
      },
    });
    await expect(promise).rejects.toBe(failure);
    expect(writes).toBe(2); // the batch after the failing one was handed over while it ran, no more
  });

  it('hands a batch over while the one before is being written, never more than two at a time', async () => {
    const p = path.join(dir, 'overlap.csv');
    await writeLocationsCsv(p, { rows: 100, evsesPerLocation: 2, connectorsPerEvse: 1, uidPrefix: 'O' });
    let running = 0;
    let most = 0;
    const result = await validateLocationsCsv(p, {
      references: REFERENCES,
      takenUids: noneTaken,
      sink: {
        batchSize: 10,
        write: async () => {
          most = Math.max(most, ++running);
          await new Promise((r) => setTimeout(r, 5));
          running--;
          return [];
        },
      },
    });
    expect(result.issueCount).toBe(0);
    expect(most).toBe(2);
  });

  it('gives every row exactly once, whatever the batch size', async () => {
    const p = path.join(dir, 'generated-sink.csv');
    await writeLocationsCsv(p, { rows: 1001, evsesPerLocation: 3, connectorsPerEvse: 2, uidPrefix: 'S' });
    for (const batchSize of [1, 7, 1000, 5000]) {
      const { result, written } = await collect(p, noneTaken, batchSize);
      expect(result.issueCount).toBe(0);
      expect(written).toEqual(Array.from({ length: 1001 }, (_, i) => i + 2));
    }
  });
});
