import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLocationsCsv } from '../../simulators/make-locations-csv.ts';
import * as chargePointService from '../../src/charge-points/charge-point.service.ts';
import type { Database, DatabaseHandle } from '../../src/db/database.ts';
import { rejectionOf } from '../fixtures/app-error.ts';
import * as locationService from '../../src/locations/location.service.ts';
import { createMailer, type Mailer } from '../../src/mail/mailer.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

// The CSV import over several write batches (location.service writes 2,000 rows per batch while it
// reads on): everything in the file is stored, and a problem found late rolls back what was written.

let handle: DatabaseHandle;
let db: Database;
let mailer: Mailer;
let dir: string;
let owner: { id: number; email: string };

/** Row counts of every table the import writes. */
async function counts() {
  const tables = ['location', 'evse', 'connector', 'chargePoint', 'locationFacility', 'locationParkingType', 'locationParkingRestriction', 'evseCapability', 'evsePaymentType', 'mailOutbox'] as const;
  const out = {} as Record<(typeof tables)[number], number>;
  for (const t of tables) {
    const r = await db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  return out;
}

beforeAll(async () => {
  handle = await createTestDatabase();
  db = handle.db;
  mailer = createMailer({ smtpUrl: undefined, from: 'test@localhost', log: pino({ level: 'silent' }) });
  dir = await mkdtemp(path.join(tmpdir(), 'location-csv-import-'));
  const row = await db
    .insertInto('cpoOwner')
    .values({ name: 'CPO AAA', countryCode: 'PH', partyId: 'AAA', contactName: 'Ops', contactEmail: 'ops@aaa.example' })
    .returning('id')
    .executeTakeFirstOrThrow();
  owner = { id: row.id, email: 'ops@aaa.example' };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await handle.close();
});

describe('importLocationsCsv of a larger file (several write batches)', () => {
  const ROWS = 4501; // three batches of the import, the last one partial
  let file: string;
  let prefix: string;
  beforeAll(async () => {
    prefix = `BIG${randomBytes(3).toString('hex')}`;
    file = path.join(dir, `${prefix}.csv`);
    await writeLocationsCsv(file, { rows: ROWS, evsesPerLocation: 3, connectorsPerEvse: 2, uidPrefix: prefix });
  });

  it('refuses a file whose only bad row is its last one, after earlier batches were written: nothing stays', async () => {
    const bad = path.join(dir, `${prefix}-bad.csv`);
    const text = (await readFile(file, 'utf8')).trimEnd().split('\n');
    const [header, ...rows] = parse(await readFile(file, 'utf8')) as string[][];
    const last = rows.at(-1)!;
    last[header!.indexOf('lat')] = '91'; // its location's earlier rows say otherwise too, but a bad value is not compared
    await writeFile(bad, `${[...text.slice(0, -1), last.map((c) => (c.includes(',') ? `"${c}"` : c)).join(',')].join('\n')}\n`);
    const before = await counts();
    const err = await rejectionOf(locationService.importLocationsCsv(db, owner.id, bad, { mailer }));
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', message: 'CSV has 1 invalid row; nothing was imported' });
    expect((err.details as { errors: Array<{ line: number; column: string }> }).errors.map((e) => [e.line, e.column])).toEqual([[ROWS + 1, 'lat']]);
    expect(await counts()).toEqual(before);
  });

  it('writes every row, EVSE, connector, link and charger, and one mail whose passwords open each charger', async () => {
    const before = await counts();
    const progress: Array<[string, number]> = [];
    const result = await locationService.importLocationsCsv(db, owner.id, file, { mailer, ocppBaseUrl: 'wss://cs.example.com' }, {
      onProgress: (phase, rows) => progress.push([phase, rows]),
    });
    const evses = Math.ceil(ROWS / 2);
    const locations = Math.ceil(evses / 3);
    expect(result).toEqual({ rows: ROWS, locations, evses, connectors: ROWS });
    expect(progress.filter(([phase]) => phase === 'written').at(-1)).toEqual(['written', ROWS]);
    const after = await counts();
    expect(after.location - before.location).toBe(locations);
    expect(after.evse - before.evse).toBe(evses);
    expect(after.connector - before.connector).toBe(ROWS);
    expect(after.chargePoint - before.chargePoint).toBe(evses);
    expect(after.evseCapability - before.evseCapability).toBe(evses * 2);
    expect(after.evsePaymentType - before.evsePaymentType).toBe(evses * 2);
    expect(after.mailOutbox - before.mailOutbox).toBe(1);

    // Row by row: the CSV's values are what was stored.
    const csv = parse(await readFile(file, 'utf8')) as string[][];
    const header = csv[0]!;
    const at = (cells: string[], column: string) => cells[header.indexOf(column)]!;
    const stored = await db.selectFrom('connector').innerJoin('evse', 'evse.id', 'connector.evseId').innerJoin('location', 'location.id', 'evse.locationId')
      .select(['evse.uid', 'connector.connectorId', 'connector.standard', 'connector.powerType', 'connector.maxElectricPower', 'connector.rateSetting', 'evse.kwh', 'location.name', 'location.addressLat', 'location.publish'])
      .where('evse.uid', 'like', `${prefix}-%`).orderBy('evse.id').orderBy('connector.connectorId').execute();
    expect(stored).toEqual(csv.slice(1).map((cells) => ({
      uid: at(cells, 'evse_uid'), connectorId: Number(at(cells, 'connector_id')), standard: at(cells, 'standard'), powerType: at(cells, 'power_type'),
      maxElectricPower: Number(at(cells, 'max_electric_power')), rateSetting: at(cells, 'rate_setting'), kwh: `${at(cells, 'kwh')}.000`,
      name: at(cells, 'name'), addressLat: at(cells, 'lat'), publish: false,
    })));

    const mail = await db.selectFrom('mailOutbox').selectAll().where('recipient', '=', owner.email).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(mail.subject).toBe(`OCPP credentials for ${evses} new chargers`);
    const entries = [...mail.body.matchAll(/Charger identity \(EVSE uid\): (\S+)\n {2}OCPP URL: (\S+)\n {2}Password: (\S+)\n\n/g)];
    expect(entries.map((m) => m[1])).toEqual(Array.from({ length: evses }, (_, i) => `${prefix}-${String(i + 1).padStart(7, '0')}`));
    expect(mail.body.startsWith(`Hello Ops,\n\n${evses} chargers were registered for CPO AAA.`)).toBe(true);
    expect(mail.body.endsWith('\n\nKeep these passwords secret. They are not sent again; a lost password has to be reset by an operator.')).toBe(true);
    for (const [, uid, url, password] of entries.filter((_, i) => i % 250 === 0 || i === evses - 1)) {
      expect(url).toBe(`wss://cs.example.com/ocpp/${uid}`);
      expect(await chargePointService.authorizeConnection(db, uid!, Buffer.from(password!), 'reject')).toMatchObject({ accepted: true });
      expect(await chargePointService.authorizeConnection(db, uid!, Buffer.from(`${password}x`), 'reject')).toMatchObject({ accepted: false });
    }
  });
});
