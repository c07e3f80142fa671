import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { preparedAs } from '../../src/db/prepared-statements.ts';
import * as meterValueRepository from '../../src/meter-values/meter-value.repository.ts';
import { toMeterReadings } from '../../src/meter-values/meter-sample.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

const onPostgres = Boolean(process.env.DATABASE_URL);
let handle: DatabaseHandle;
let single: DatabaseHandle | undefined;

const reading = (value: string) => toMeterReadings('CP-PREP', 1, null, [{ sampledAt: new Date(), samples: [{ value }, { value: '7', measurand: 'SoC', unit: 'Percent' }] }])[0]!;

beforeAll(async () => {
  handle = await createTestDatabase();
  await sql`insert into charge_point (id) values ('CP-PREP')`.execute(handle.db);
  // One connection, so the prepared statements it lists are those of the connection the inserts used.
  if (onPostgres) single = await openDatabase({ url: handle.url!, poolSize: 1 });
});
afterAll(async () => {
  await single?.close();
  await handle.close();
});

describe('statements marked preparedAs(NAME)', () => {
  it.runIf(onPostgres)('are prepared once per connection and reused whatever the batch size', async () => {
    const db = single!.db;
    await meterValueRepository.insertMany(db, [reading('1')]);
    await meterValueRepository.insertMany(db, Array.from({ length: 50 }, (_, i) => reading(String(i))));
    await sql`select 1`.execute(db);
    const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements order by name`.execute(db);
    expect(rows.map((r) => r.name)).toEqual(['meter_reading_insert']);
    const stored = await sql<{ n: string }>`select count(*) as n from meter_reading where charge_point_id = 'CP-PREP'`.execute(db);
    expect(Number(stored.rows[0]!.n)).toBe(51);
  });

  it('run as plain statements where nothing is prepared (PGlite), with their parameters', async () => {
    const { rows } = await sql<{ v: string }>`${sql.raw(preparedAs('echo_test'))} select ${'a value'}::text as v`.execute(handle.db);
    expect(rows).toEqual([{ v: 'a value' }]);
    await meterValueRepository.insertMany(handle.db, [reading('12.5')]);
    const stored = await handle.db.selectFrom('meterValue').select(['measurand', 'value']).where('chargePointId', '=', 'CP-PREP').orderBy('readingId', 'desc').orderBy('valueIndex').limit(2).execute();
    expect(stored).toEqual([{ measurand: 'Energy.Active.Import.Register', value: '12.5' }, { measurand: 'SoC', value: '7' }]);
  });
});
