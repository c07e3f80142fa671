import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

// The CSV import's writes: one statement per batch for all nine tables (locations, EVSEs, their links,
// connectors, chargers), each table's rows as one array per column. A few array parameters instead of
// a parameter per cell, and no round trip between the tables: the database works through a batch
// while the next one is read. Ids are taken from the tables' sequences beforehand, so rows of later
// batches (connectors of an EVSE written earlier) can refer to them.

export interface Ids {
  locations: number[];
  evses: number[];
}

const parseIds = (literal: string) => (literal === '{}' ? [] : literal.slice(1, -1).split(',').map(Number));

/** Takes ids from the location and EVSE identity sequences (never reused: unused ones are gaps). */
const takeIds = (locations: number, evses: number) => sql`
  array(select nextval(pg_get_serial_sequence('location', 'id')::regclass) from generate_series(1, ${locations}::int))::text as locations,
  array(select nextval(pg_get_serial_sequence('evse', 'id')::regclass) from generate_series(1, ${evses}::int))::text as evses`;

export async function allocateIds(db: Db, locations: number, evses: number): Promise<Ids> {
  const { rows } = await sql<{ locations: string; evses: string }>`select ${takeIds(locations, evses)}`.execute(db);
  return { locations: parseIds(rows[0]!.locations), evses: parseIds(rows[0]!.evses) };
}

/** Each field is an array literal (intArray, textArray) of one column; arrays of a table are of equal length. */
export interface ImportBatch {
  cpoOwnerId: number;
  /** Ids to take for the batches after this one, in the same statement: no round trip of their own. */
  reserve: { locations: number; evses: number };
  location: Record<'id' | 'name' | 'address' | 'lat' | 'lng' | 'city' | 'province' | 'region' | 'postalCode' | 'countryCode', string>;
  locationFacility: Record<'locationId' | 'facilityId', string>;
  locationParkingType: Record<'locationId' | 'parkingTypeId', string>;
  locationParkingRestriction: Record<'locationId' | 'parkingRestrictionId', string>;
  evse: Record<'id' | 'uid' | 'evseId' | 'locationId' | 'serialNumber' | 'meterType' | 'kwh' | 'status', string>;
  evseCapability: Record<'evseId' | 'capabilityId', string>;
  evsePaymentType: Record<'evseId' | 'paymentTypeId', string>;
  /** The EVSEs' chargers: id = EVSE uid. */
  charger: Record<'id' | 'passwordHash', string>;
  connector: Record<
    'evseId' | 'connectorId' | 'standard' | 'format' | 'powerType' | 'maxVoltage' | 'maxAmperage' | 'maxElectricPower' | 'connectorType' | 'rateSetting',
    string
  >;
}

const ints = (literal: string) => sql`${literal}::text::int8[]`;
const texts = (literal: string) => sql`${literal}::text::text[]`;
const decimals = (literal: string) => sql`${literal}::text::numeric[]`;

export interface BatchResult {
  /** The new EVSEs' uids that are taken (an EVSE or a registered charger has them): then nothing was written. */
  taken: string[];
  /** Chargers the statement did not register although no uid was taken: registered concurrently. */
  notRegistered: string[];
  reserved: Ids;
}

/**
 * Writes one batch unless one of its new EVSEs' uids is taken, and returns the ids reserved for later
 * batches. Chargers are registered Accepted as chargePointRepository.registerMany does: a charger that
 * connected while unknown (Pending) is completed, a registered one is left alone.
 */
export async function insertImportBatch(db: Db, b: ImportBatch): Promise<BatchResult> {
  const { rows } = await sql<{ taken: string[] | null; notRegistered: string[] | null; locations: string; evses: string }>`
    with charger as (
      select * from unnest(${texts(b.charger.id)}, ${texts(b.charger.passwordHash)}) as u(id, password_hash)
    ), taken as materialized (
      -- as location.repository findTakenUids (which says why the probes are scalar subqueries)
      select c.id from charger c
      where (select true from evse e where e.uid = c.id)
         or (select true from charge_point cp where cp.id = c.id and cp.registration_status <> 'Pending')
    ), new_location as (
      insert into location (id, cpo_owner_id, name, address, address_lat, address_lng, city, province, region, postal_code, country_code, publish)
      select u.id, ${b.cpoOwnerId}::int8, u.name, u.address, u.lat, u.lng, u.city, u.province, u.region, u.postal_code, u.country_code, false
      from unnest(${ints(b.location.id)}, ${texts(b.location.name)}, ${texts(b.location.address)}, ${decimals(b.location.lat)}, ${decimals(b.location.lng)},
                  ${texts(b.location.city)}, ${texts(b.location.province)}, ${texts(b.location.region)}, ${texts(b.location.postalCode)},
                  ${texts(b.location.countryCode)}) as u(id, name, address, lat, lng, city, province, region, postal_code, country_code)
      where not exists (select from taken)
    ), new_location_facility as (
      insert into location_facility (location_id, facility_id)
      select * from unnest(${ints(b.locationFacility.locationId)}, ${ints(b.locationFacility.facilityId)}) where not exists (select from taken)
    ), new_location_parking_type as (
      insert into location_parking_type (location_id, parking_type_id)
      select * from unnest(${ints(b.locationParkingType.locationId)}, ${ints(b.locationParkingType.parkingTypeId)}) where not exists (select from taken)
    ), new_location_parking_restriction as (
      insert into location_parking_restriction (location_id, parking_restriction_id)
      select * from unnest(${ints(b.locationParkingRestriction.locationId)}, ${ints(b.locationParkingRestriction.parkingRestrictionId)}) where not exists (select from taken)
    ), new_evse as (
      insert into evse (id, uid, evse_id, location_id, serial_number, meter_type, kwh, status)
      select * from unnest(${ints(b.evse.id)}, ${texts(b.evse.uid)}, ${texts(b.evse.evseId)}, ${ints(b.evse.locationId)},
                           ${texts(b.evse.serialNumber)}, ${texts(b.evse.meterType)}, ${decimals(b.evse.kwh)}, ${texts(b.evse.status)}) where not exists (select from taken)
    ), new_evse_capability as (
      insert into evse_capability (evse_id, capability_id)
      select * from unnest(${ints(b.evseCapability.evseId)}, ${ints(b.evseCapability.capabilityId)}) where not exists (select from taken)
    ), new_evse_payment_type as (
      insert into evse_payment_type (evse_id, payment_type_id)
      select * from unnest(${ints(b.evsePaymentType.evseId)}, ${ints(b.evsePaymentType.paymentTypeId)}) where not exists (select from taken)
    ), new_connector as (
      insert into connector (evse_id, connector_id, standard, format, power_type, max_voltage, max_amperage, max_electric_power, connector_type, rate_setting)
      select * from unnest(${ints(b.connector.evseId)}, ${ints(b.connector.connectorId)}, ${texts(b.connector.standard)}, ${texts(b.connector.format)},
                           ${texts(b.connector.powerType)}, ${ints(b.connector.maxVoltage)}, ${ints(b.connector.maxAmperage)},
                           ${ints(b.connector.maxElectricPower)}, ${texts(b.connector.connectorType)}, ${decimals(b.connector.rateSetting)}) where not exists (select from taken)
    ), registered as (
      insert into charge_point as cp (id, password_hash, registration_status)
      select id, password_hash, 'Accepted' from charger where not exists (select from taken)
      on conflict (id) do update set password_hash = excluded.password_hash, registration_status = excluded.registration_status, updated_at = now()
        where cp.registration_status = 'Pending'
      returning cp.id
    )
    select array(select id from taken) as taken,
           array(select id from charger except select id from registered) as "notRegistered",
           ${takeIds(b.reserve.locations, b.reserve.evses)}`.execute(db);
  const row = rows[0]!;
  const taken = row.taken ?? [];
  return { taken, notRegistered: taken.length > 0 ? [] : (row.notRegistered ?? []), reserved: { locations: parseIds(row.locations), evses: parseIds(row.evses) } };
}
