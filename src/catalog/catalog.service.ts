import type { Db } from '../db/database.ts';
import { AppError } from '../errors.ts';
import * as ratingRepository from '../ratings/rating.repository.ts';
import * as applicableTariffs from '../tariffs/applicable-tariffs.ts';
import type { Tariff } from '../tariffs/tariff.ts';
import * as vehicleCatalogue from '../vehicles/vehicle-catalogue.ts';
import * as catalogRepository from './catalog.repository.ts';
import {
  chargingSpeed,
  connectorStatus,
  contractPowerType,
  kilowatts,
  type ChargingSpeed,
  type ContractConnectorStatus,
  type ContractPowerType,
} from './connector-speed.ts';

// The driver search (POST /v1/search): published locations as catalogs of the connectors that pass
// the filters, with live status, ratings and the tariffs that apply. At most six queries whatever the
// page size: the page of locations with the total (plus a count for a page past the end), their
// connectors, ratings, tariffs, and the connector type list when a vehicle is given.

export interface CatalogQuery {
  evseId?: string;
  near?: { lat: number; lng: number; distanceMeters: number };
  /** "CC*PARTY" (e.g. "PH*DCC"), the party id alone ("DCC"), or the numeric CPO id. */
  cpo?: string;
  /** A location id (digits), or an EVSE uid or EVSE id. */
  station?: string;
  connectorType?: string;
  vehicle?: { make?: string; model?: string; type?: string };
  timeWindow?: { start: Date; end: Date };
  page: number;
  perPage: number;
}

export interface CatalogConnector {
  /** Public id: `${evseUid}-${ocppConnectorId}`. */
  id: string;
  dbId: number;
  evseUid: string;
  evseId: string | null;
  ocppConnectorId: number;
  lat: number;
  lng: number;
  /** TYPE_1, TYPE_2, CCS2, and our other codes as they are (CHADEMO, GBT, CCS1). */
  connectorType: string;
  /** Decimal kW, e.g. "7.4". */
  maxPowerKw: string;
  powerType: ContractPowerType;
  format: 'CABLE' | 'SOCKET';
  socketCount: number;
  status: ContractConnectorStatus;
  isActive: boolean;
  chargingSpeed: ChargingSpeed;
  /** value: one decimal ("4.5"); "0.0" with count 0 when never rated. */
  rating: { value: string; count: number };
  provider: { id: string; name: string };
  availabilityWindow: Array<{ startTime: string; endTime: string }>;
  reservationSupported: boolean;
  tariffIds: number[];
}

/** A tariff offered in a catalog, with the public ids of the catalog's connectors it applies to. */
export type CatalogOffer = Tariff & { items: string[] };

export interface Catalog {
  /** `catalog-location-${locationId}`. */
  id: string;
  locationId: number;
  /** From the search point; null when searching by EVSE. */
  distanceMeters: number | null;
  connectors: CatalogConnector[];
  offers: CatalogOffer[];
}

export interface CatalogPage {
  /** Number of catalogs (locations) matching, over all pages. */
  total: number;
  page: number;
  perPage: number;
  catalogs: Catalog[];
}

// We keep no opening hours: every connector is offered around the clock.
const ALWAYS_OPEN = [{ startTime: '00:00:00', endTime: '23:59:59' }] as const;

export async function search(db: Db, query: CatalogQuery, now: Date): Promise<CatalogPage> {
  const { page, perPage } = query;
  if (!Number.isInteger(page) || page < 1 || !Number.isInteger(perPage) || perPage < 1) {
    throw new AppError('VALIDATION_FAILED', 'page and per_page must be positive integers');
  }
  const filter = await toFilter(db, query);
  const { rows: locations, total } = await catalogRepository.findLocationPage(db, filter, { limit: perPage, offset: (page - 1) * perPage });
  if (locations.length === 0) return { total, page, perPage, catalogs: [] };

  // Without a window, "now": what holds the connector at this instant.
  const window = query.timeWindow ?? { start: now, end: now };
  const rows = await catalogRepository.findConnectors(db, locations.map((l) => l.id), filter, window);
  const connectorIds = rows.map((r) => r.id);
  const [ratings, tariffs] = await Promise.all([
    ratingRepository.averagesByConnector(db, connectorIds),
    applicableTariffs.forConnectors(db, connectorIds),
  ]);

  const byLocation = new Map<number, catalogRepository.CatalogConnectorRow[]>();
  for (const row of rows) {
    const list = byLocation.get(row.locationId);
    if (list) list.push(row);
    else byLocation.set(row.locationId, [row]);
  }
  const catalogs = locations.map((location): Catalog => {
    const connectorRows = byLocation.get(location.id) ?? [];
    const connectors = connectorRows.map((row) => toConnector(row, ratings.get(row.id), tariffs.get(row.id) ?? []));
    return {
      id: `catalog-location-${location.id}`,
      locationId: location.id,
      distanceMeters: location.distanceMeters,
      connectors,
      offers: offersOf(connectorRows, tariffs),
    };
  });
  return { total, page, perPage, catalogs };
}

async function toFilter(db: Db, query: CatalogQuery): Promise<catalogRepository.CatalogFilter> {
  const evseId = query.evseId?.trim();
  if (!evseId && !query.near) throw new AppError('VALIDATION_FAILED', 'either evse_id or geo_coordinates with distance_meters is required');
  if (evseId && query.near) throw new AppError('VALIDATION_FAILED', 'give either evse_id or geo_coordinates, not both');
  const filter: catalogRepository.CatalogFilter = {};
  if (evseId) filter.evse = evseId;
  if (query.near) filter.near = query.near;
  const cpo = query.cpo?.trim();
  if (cpo) filter.cpo = parseCpo(cpo);
  const station = query.station?.trim();
  if (station) filter.station = { locationId: /^\d{1,15}$/.test(station) ? Number(station) : null, evse: station };
  const connectorType = query.connectorType?.trim();
  if (connectorType) filter.connectorType = connectorType.toUpperCase();
  const vehicle = query.vehicle;
  if (vehicle && (vehicle.make || vehicle.model || vehicle.type)) {
    // An unknown make and model gets the typical profile of its type (the connectors such vehicles take).
    const profile = vehicleCatalogue.lookupVehicle(vehicle);
    // Connector types and standards are checked against this list, so these pairs cover every connector.
    const codes = await catalogRepository.connectorTypeCodes(db);
    filter.usablePairs = codes.flatMap((code) =>
      (['AC', 'DC'] as const).filter((current) => vehicleCatalogue.canUseConnector(profile, code, current)).map((current) => [code, current] as const),
    );
  }
  return filter;
}

/** "PH*DCC" → country and party; "DCC" → party alone; digits → the CPO id (or a numeric party id). */
export function parseCpo(text: string): NonNullable<catalogRepository.CatalogFilter['cpo']> {
  const star = text.indexOf('*');
  if (star >= 0) {
    return { ownerId: null, countryCode: text.slice(0, star).toUpperCase(), partyId: text.slice(star + 1).toUpperCase() };
  }
  const ownerId = /^\d{1,15}$/.test(text) ? Number(text) : null;
  return { ownerId, countryCode: null, partyId: text.toUpperCase() };
}

function toConnector(row: catalogRepository.CatalogConnectorRow, rating: ratingRepository.RatingAverage | undefined, tariffs: Tariff[]): CatalogConnector {
  const online = row.online === true;
  let status = connectorStatus(row.ocppStatus, online, row.chargerOcppStatus);
  const held = row.reservedOnCharger || row.bookedByOrder;
  // A booking doesn't make a broken or unreachable charger any better: those keep their status.
  if (held && status !== 'OutOfOrder' && status !== 'Unknown') status = 'Reserved';
  return {
    id: publicConnectorId(row.evseUid, row.connectorId),
    dbId: row.id,
    evseUid: row.evseUid,
    evseId: row.evseId,
    ocppConnectorId: row.connectorId,
    lat: Number(row.addressLat),
    lng: Number(row.addressLng),
    connectorType: (row.connectorType ?? row.standard).toUpperCase(),
    maxPowerKw: kilowatts(row.maxElectricPower),
    powerType: contractPowerType(row.powerType),
    format: row.format.toUpperCase() === 'SOCKET' ? 'SOCKET' : 'CABLE',
    socketCount: row.socketCount,
    status,
    isActive: online && !held && status !== 'OutOfOrder' && status !== 'Unknown',
    chargingSpeed: chargingSpeed(row.maxElectricPower),
    rating: rating ?? { value: '0.0', count: 0 },
    provider: { id: `${row.countryCode.trim()}*${row.partyId}`, name: row.cpoName },
    availabilityWindow: ALWAYS_OPEN.map((w) => ({ ...w })),
    reservationSupported: true,
    tariffIds: tariffs.map((t) => t.id),
  };
}

/** The public id of a connector: its charger's OCPP identity and its OCPP connector number. */
export const publicConnectorId = (evseUid: string, ocppConnectorId: number): string => `${evseUid}-${ocppConnectorId}`;

function offersOf(rows: catalogRepository.CatalogConnectorRow[], tariffs: Map<number, Tariff[]>): CatalogOffer[] {
  const offers = new Map<number, CatalogOffer>();
  for (const row of rows) {
    for (const tariff of tariffs.get(row.id) ?? []) {
      let offer = offers.get(tariff.id);
      if (!offer) offers.set(tariff.id, (offer = { ...tariff, items: [] }));
      offer.items.push(publicConnectorId(row.evseUid, row.connectorId));
    }
  }
  return [...offers.values()].sort((a, b) => a.id - b.id);
}
