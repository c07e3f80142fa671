import { sql, type Kysely } from 'kysely';

// Frozen in time: meter_value is the fastest-growing table and its insert is the ingest path's cost.
//
// meter_value_cp_time_idx (charge_point_id, sampled_at) served no query: every reader goes by
// transaction (meter_value_tx_idx). Each row paid for it with a b-tree insert at a random place among
// all chargers — about a third of the insert's time in EXPLAIN ANALYZE of a 300-row batch.
//
// The identity's sequence hands out ids 1,000 at a time per backend instead of WAL-logging and
// locking the sequence every 32 rows. Ids stay unique; only their order across backends is loose,
// and readers order by sampled_at first — id only breaks ties among the values of one message, which
// one statement inserts in order.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists meter_value_cp_time_idx`.execute(db);
  await sql`alter table meter_value alter column id set cache 1000`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table meter_value alter column id set cache 1`.execute(db);
  await sql`create index if not exists meter_value_cp_time_idx on meter_value (charge_point_id, sampled_at)`.execute(db);
}
