import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ChargePointRow, ChargePointUpdate, NewChargePoint } from '../db/schema.ts';

export function findById(db: Db, id: string): Promise<ChargePointRow | undefined> {
  return db.selectFrom('chargePoint').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insert(db: Db, row: NewChargePoint): Promise<ChargePointRow> {
  return db.insertInto('chargePoint').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Inserts the row unless the id exists; returns the stored row either way. */
export async function insertIfAbsent(db: Db, row: NewChargePoint): Promise<ChargePointRow> {
  await db.insertInto('chargePoint').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();
  return db.selectFrom('chargePoint').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
}

export async function update(db: Db, id: string, changes: ChargePointUpdate): Promise<ChargePointRow | undefined> {
  return db
    .updateTable('chargePoint')
    .set({ ...changes, updatedAt: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** What authorizing a connection needs of a charger's row. */
export type StoredCredentials = Pick<ChargePointRow, 'id' | 'passwordHash' | 'registrationStatus'>;

/** Many chargers' credentials in one query: a boot storm authorizes thousands of upgrades at once. */
export async function findCredentials(db: Db, ids: readonly string[]): Promise<Map<string, StoredCredentials>> {
  const { rows } = await sql<StoredCredentials>`
    select id, password_hash, registration_status from charge_point where id = any(${[...ids]}::text[])`.execute(db);
  return new Map(rows.map((r) => [r.id, r]));
}

export interface ConnectedRow {
  id: string;
  at: Date;
  serverId: string;
  wsConnectionId: string;
}

/**
 * Marks many chargers online in one statement (group commit of a boot storm). At most one row per
 * id: UPDATE … FROM applies an arbitrary one of several matches, so the caller keeps the latest.
 */
export async function markConnectedMany(db: Db, rows: readonly ConnectedRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    with ${lockedInIdOrder(rows.map((r) => r.id))}
    update charge_point as cp
    set online = true, connected_at = v.at, last_seen_at = v.at, server_id = v.server_id, ws_connection_id = v.ws, updated_at = v.at
    from locked, unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.at.toISOString())}::timestamptz[],
                ${rows.map((r) => r.serverId)}::text[], ${rows.map((r) => r.wsConnectionId)}::text[]) as v(id, at, server_id, ws)
    where cp.id = locked.id and v.id = locked.id`.execute(db);
}

export interface DisconnectedRow {
  id: string;
  wsConnectionId: string;
  at: Date;
}

/**
 * Only the connection that is still current may mark its charger offline (a replaced socket must not).
 * Returns the wsConnectionIds that took their charger offline.
 */
export async function markDisconnectedMany(db: Db, rows: readonly DisconnectedRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const { rows: offline } = await sql<{ ws: string }>`
    with ${lockedInIdOrder(rows.map((r) => r.id))}
    update charge_point as cp
    set online = false, disconnected_at = v.at, ws_connection_id = null, updated_at = v.at
    from locked, unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.wsConnectionId)}::text[],
                ${rows.map((r) => r.at.toISOString())}::timestamptz[]) as v(id, ws, at)
    where cp.id = locked.id and v.id = locked.id and cp.ws_connection_id = v.ws
    returning v.ws`.execute(db);
  return new Set(offline.map((r) => r.ws));
}

/** What a BootNotification tells about the charger. */
export interface BootInfo {
  vendor: string;
  model: string;
  chargePointSerialNumber: string | null;
  chargeBoxSerialNumber: string | null;
  firmwareVersion: string | null;
  iccid: string | null;
  imsi: string | null;
  meterType: string | null;
  meterSerialNumber: string | null;
}

export interface BootRow extends BootInfo {
  id: string;
  at: Date;
}

/**
 * Stores many BootNotifications in one statement; returns each found charger's registration status
 * (a missing id was deleted). At most one row per id, as for markConnectedMany.
 */
export async function recordBoots(db: Db, rows: readonly BootRow[]): Promise<Map<string, ChargePointRow['registrationStatus']>> {
  if (rows.length === 0) return new Map();
  const col = <K extends keyof BootRow>(k: K) => rows.map((r) => r[k]);
  const { rows: found } = await sql<Pick<ChargePointRow, 'id' | 'registrationStatus'>>`
    with ${lockedInIdOrder(col('id'))}
    update charge_point as cp
    set vendor = v.vendor, model = v.model, charge_point_serial_number = v.cp_serial, charge_box_serial_number = v.cb_serial,
        firmware_version = v.firmware, iccid = v.iccid, imsi = v.imsi, meter_type = v.meter_type, meter_serial_number = v.meter_serial,
        last_boot_at = v.at, last_seen_at = v.at, updated_at = ${new Date().toISOString()}::timestamptz
    from locked, unnest(${col('id')}::text[], ${rows.map((r) => r.at.toISOString())}::timestamptz[], ${col('vendor')}::text[], ${col('model')}::text[],
                ${col('chargePointSerialNumber')}::text[], ${col('chargeBoxSerialNumber')}::text[], ${col('firmwareVersion')}::text[],
                ${col('iccid')}::text[], ${col('imsi')}::text[], ${col('meterType')}::text[], ${col('meterSerialNumber')}::text[])
      as v(id, at, vendor, model, cp_serial, cb_serial, firmware, iccid, imsi, meter_type, meter_serial)
    where cp.id = locked.id and v.id = locked.id
    returning cp.id, cp.registration_status`.execute(db);
  return new Map(found.map((r) => [r.id, r.registrationStatus]));
}

/** After a crash the node's chargers are not connected to it anymore, whatever the table says. */
export async function markServerOffline(db: Db, serverId: string, at: Date): Promise<number> {
  const result = await db
    .updateTable('chargePoint')
    .set({ online: false, disconnectedAt: at, wsConnectionId: null, updatedAt: at })
    .where('serverId', '=', serverId)
    .where('online', '=', true)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Multi-row updates of charge_point take their row locks in id order first: batches written at the same
 * time (connects, boots, disconnects, last-seen) would otherwise lock shared rows in different orders and
 * deadlock. ORDER BY is applied before FOR … UPDATE, so the locks follow it.
 */
const lockedInIdOrder = (ids: readonly string[]) =>
  sql`locked as (select id from charge_point where id = any(${[...ids]}::text[]) order by id for no key update)`;

/** Coalesced last-seen update for many chargers in one statement. */
export async function touchMany(db: Db, touches: ReadonlyMap<string, Date>): Promise<void> {
  if (touches.size === 0) return;
  const ids = [...touches.keys()];
  await sql`
    with ${lockedInIdOrder(ids)}
    update charge_point as cp set last_seen_at = greatest(cp.last_seen_at, v.at)
    from locked, unnest(${ids}::text[], ${[...touches.values()].map((at) => at.toISOString())}::timestamptz[]) as v(id, at)
    where cp.id = locked.id and v.id = locked.id`.execute(db);
}

export async function insertEvent(db: Db, chargePointId: string, kind: 'diagnostics' | 'firmware', status: string): Promise<void> {
  await db.insertInto('chargePointEvent').values({ chargePointId, kind, status }).execute();
}

export interface ChargePointFilter {
  online?: boolean | undefined;
  registrationStatus?: 'Accepted' | 'Pending' | 'Rejected' | undefined;
  limit: number;
  offset: number;
}

export function list(db: Db, filter: ChargePointFilter): Promise<ChargePointRow[]> {
  let query = db.selectFrom('chargePoint').selectAll();
  if (filter.online !== undefined) query = query.where('online', '=', filter.online);
  if (filter.registrationStatus) query = query.where('registrationStatus', '=', filter.registrationStatus);
  return query.orderBy('id').limit(filter.limit).offset(filter.offset).execute();
}

/**
 * Chargers that claim to be online on a node with no heartbeat after `liveNodeCutoff` (a crashed
 * node, one never registered, or none at all) are not connected anywhere: marks them offline.
 */
export async function markOrphansOffline(db: Db, liveNodeCutoff: Date, at: Date): Promise<number> {
  const result = await db
    .updateTable('chargePoint')
    .set({ online: false, wsConnectionId: null, disconnectedAt: at, updatedAt: at })
    .where('online', '=', true)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('clusterNode')
            .select('clusterNode.id')
            .whereRef('clusterNode.id', '=', 'chargePoint.serverId')
            .where('clusterNode.lastHeartbeatAt', '>', liveNodeCutoff),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Registers many chargers in one statement: new ids are inserted, chargers that connected while
 * unknown (Pending) get their credentials and are Accepted. Returns the ids it wrote; an id missing
 * from the answer was already registered.
 */
export async function registerMany(db: Db, rows: ReadonlyArray<{ id: string; passwordHash: string | null }>): Promise<string[]> {
  if (rows.length === 0) return [];
  const written = await db
    .insertInto('chargePoint')
    .values(rows.map((r) => ({ id: r.id, passwordHash: r.passwordHash, registrationStatus: 'Accepted' as const })))
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          passwordHash: eb.ref('excluded.passwordHash'),
          registrationStatus: eb.ref('excluded.registrationStatus'),
          updatedAt: new Date(),
        }))
        .where('chargePoint.registrationStatus', '=', 'Pending'),
    )
    .returning('id')
    .execute();
  return written.map((r) => r.id);
}
