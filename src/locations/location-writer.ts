import * as chargePointService from '../charge-points/charge-point.service.ts';
import type { ChargerCredentials } from '../charge-points/charge-point.service.ts';
import type { Database, Tx } from '../db/database.ts';
import type { CpoOwnerRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { ConnectorFields, EvseFields, LocationFields } from './location-input.ts';
import type { References } from './location-references.ts';
import * as locationRepository from './location.repository.ts';
import type { ReferenceKind } from './location.repository.ts';

// Batched writes of locations, EVSEs (with their chargers) and connectors, inside one transaction.


export interface WriteContext {
  tx: Tx;
  owner: CpoOwnerRow;
  refs: References;
  credentials: ReadonlyMap<string, ChargerCredentials>;
}

export async function inTransaction<T>(db: Database, work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await db.transaction().execute(work);
  } catch (err) {
    // Both checked beforehand; only a concurrent registration of the same uid gets here.
    if ((err as { code?: unknown }).code === '23505') {
      throw new AppError('CONFLICT', 'an EVSE uid of this request was registered by another request meanwhile; nothing was written');
    }
    throw err;
  }
}

export async function writeLocations(ctx: WriteContext, locations: readonly LocationFields[]): Promise<number[]> {
  const ids = await locationRepository.allocateLocationIds(ctx.tx, locations.length);
  await locationRepository.insertLocations(ctx.tx, locations.map((l, i) => ({
    id: ids[i]!,
    cpoOwnerId: ctx.owner.id,
    name: l.name,
    address: l.address,
    addressLat: l.lat,
    addressLng: l.lng,
    city: l.city,
    province: l.province,
    region: l.region,
    postalCode: l.postalCode,
    countryCode: l.countryCode ?? ctx.owner.countryCode.toUpperCase(),
    publish: false, // pending until reviewed
  })));
  const link = <K extends string>(key: K, kind: ReferenceKind, codes: (l: LocationFields) => string[]) =>
    locations.flatMap((l, i) => codes(l).map((code) => ({ locationId: ids[i]!, [key]: ctx.refs[kind].get(code)! }) as { locationId: number } & Record<K, number>));
  await locationRepository.insertLocationLinks(ctx.tx, {
    facilities: link('facilityId', 'facility', (l) => l.facilities),
    parkingTypes: link('parkingTypeId', 'parkingType', (l) => l.parkingTypes),
    parkingRestrictions: link('parkingRestrictionId', 'parkingRestriction', (l) => l.parkingRestrictions),
  });
  return ids;
}

/** EVSEs, their links and their chargers; returns uid → evse.id. */
export async function writeEvses(ctx: WriteContext, evses: ReadonlyArray<{ locationId: number; evse: EvseFields }>): Promise<Map<string, number>> {
  if (evses.length === 0) return new Map();
  const inserted = await locationRepository.insertEvses(ctx.tx, evses.map(({ locationId, evse }) => ({
    uid: evse.uid,
    evseId: evse.evseId,
    locationId,
    serialNumber: evse.serialNumber,
    meterType: evse.meterType,
    kwh: evse.kwh,
    status: evse.status,
  })));
  const ids = new Map(inserted.map((r) => [r.uid, r.id]));
  await locationRepository.insertEvseLinks(ctx.tx, {
    capabilities: evses.flatMap(({ evse }) => evse.capabilities.map((code) => ({ evseId: ids.get(evse.uid)!, capabilityId: ctx.refs.capability.get(code)! }))),
    paymentTypes: evses.flatMap(({ evse }) => evse.paymentTypes.map((code) => ({ evseId: ids.get(evse.uid)!, paymentTypeId: ctx.refs.paymentType.get(code)! }))),
  });
  await chargePointService.registerMany(ctx.tx, evses.map(({ evse }) => {
    const credentials = ctx.credentials.get(evse.uid);
    if (!credentials) throw new Error(`no credentials prepared for EVSE ${evse.uid}`);
    return { id: evse.uid, passwordHash: credentials.passwordHash };
  }));
  return ids;
}

export async function writeConnectors(ctx: WriteContext, connectors: ReadonlyArray<{ evseId: number; connector: ConnectorFields & { connectorId: number } }>): Promise<void> {
  await locationRepository.insertConnectorRows(ctx.tx, connectors.map(({ evseId, connector: c }) => ({
    evseId,
    connectorId: c.connectorId,
    standard: c.standard,
    format: c.format,
    powerType: c.powerType,
    maxVoltage: c.maxVoltage,
    maxAmperage: c.maxAmperage,
    maxElectricPower: c.maxElectricPower,
    connectorType: c.connectorType ?? c.standard,
    rateSetting: c.rateSetting,
  })));
}
