import { AppError } from '../errors.ts';
import * as mapService from '../map/map.service.ts';
import * as args from './arguments.ts';
import { requireAnyCaller, requireApiClient, requireUser, type ConnectorStatusChange, type GraphqlContext, type Scope } from './context.ts';
import { connectorStatus, evseStatus } from './ocpi-status.ts';

// Thin resolvers: check the caller and the arguments, read through the request's DataLoaders, map
// rows to the spec's snake_case fields. Field names and meanings: graphql/schema.graphql.

type Location = mapService.MapLocation & { distanceKm?: number | null };
type Evse = mapService.MapEvse;
type Connector = mapService.MapConnector;

const iso = (d: Date | string) => new Date(d).toISOString();
const numberOrNull = (v: string | number | null) => (v === null ? null : Number(v));

/** Locations in the order of `hits`, with their distance; rows gone meanwhile are left out. */
async function locationsOf(ctx: GraphqlContext, hits: ReadonlyArray<{ id: number; distanceKm: number | null }>): Promise<Location[]> {
  const rows = await ctx.loaders.location.loadMany(hits.map((h) => h.id));
  const out: Location[] = [];
  hits.forEach((hit, i) => {
    const row = rows[i];
    if (row && !(row instanceof Error)) out.push({ ...row, distanceKm: hit.distanceKm });
  });
  return out;
}

function visible(scope: Scope, location: { cpoOwnerId: number; publish: boolean }): boolean {
  if (scope.cpoOwnerId !== undefined && location.cpoOwnerId !== scope.cpoOwnerId) return false;
  return !scope.publishedOnly || location.publish;
}

/** Narrows a status feed subscription to the locations `scope` may see (checked once per location, cached briefly). */
function visibleChanges(ctx: GraphqlContext, scope: Scope, inner: AsyncIterableIterator<ConnectorStatusChange>): AsyncIterableIterator<ConnectorStatusChange> {
  const unrestricted = scope.cpoOwnerId === undefined && !scope.publishedOnly;
  const checked = new Map<number, { ok: boolean; at: number }>();
  const TTL_MS = 30_000;
  const allowed = async (locationId: number) => {
    if (unrestricted) return true;
    const hit = checked.get(locationId);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.ok;
    const ok = (await mapService.visibleLocationIds(ctx.db, [locationId], scope)).length > 0;
    checked.set(locationId, { ok, at: Date.now() });
    return ok;
  };
  // Hand-rolled rather than an async generator: return() must reach the feed at once, even while a
  // next() is waiting for a change, so a closed SSE stream unsubscribes immediately.
  const iterator: AsyncIterableIterator<ConnectorStatusChange> = {
    async next() {
      for (;;) {
        const step = await inner.next();
        if (step.done || (await allowed(step.value.locationId))) return step;
      }
    },
    async return(value?: unknown) {
      await inner.return?.(value);
      return { done: true, value: undefined };
    },
    async throw(err?: unknown) {
      await inner.return?.();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

export const resolvers = {
  Query: {
    evse: async (_: unknown, a: { location_name?: string | null; order_by?: string | null; order?: string | null; limit?: number | null; offset?: number | null }, ctx: GraphqlContext): Promise<Evse[]> => {
      const scope = await requireUser(ctx);
      const { orderBy, order } = args.evseOrder(a);
      const { limit, offset } = args.page(a, ctx.config.maxLimit);
      return mapService.listEvses(ctx.db, { cpoOwnerId: scope.cpoOwnerId, locationName: args.text('location_name', a.location_name), orderBy, order, limit, offset });
    },

    locations: async (_: unknown, a: { limit?: number | null; offset?: number | null }, ctx: GraphqlContext): Promise<Location[]> => {
      const scope = await requireUser(ctx);
      const { limit, offset } = args.page(a, ctx.config.maxLimit);
      const rows = await mapService.listLocations(ctx.db, { cpoOwnerId: scope.cpoOwnerId, limit, offset });
      for (const row of rows) ctx.loaders.location.prime(row.id, row);
      return rows;
    },

    location: async (_: unknown, a: { id: number }, ctx: GraphqlContext): Promise<Location | null> => {
      const scope = await requireUser(ctx);
      if (!Number.isInteger(a.id) || a.id < 1) throw new AppError('VALIDATION_FAILED', 'id must be a positive location id', { argument: 'id' });
      const row = await ctx.loaders.location.load(a.id);
      // Another CPO's location reads as missing: its existence is not the caller's business.
      return row && visible(scope, row) ? row : null;
    },

    find_ev_locations: async (_: unknown, a: { lat?: number | null; lng?: number | null; limit?: number | null; offset?: number | null }, ctx: GraphqlContext): Promise<Location[]> => {
      const scope = await requireApiClient(ctx);
      const point = args.point(a);
      const { limit, offset } = args.page(a, ctx.config.maxLimit, ctx.config.maxLimit);
      const hits = await mapService.findLocationsNear(ctx.db, { ...point, publishedOnly: scope.publishedOnly, limit, offset });
      return locationsOf(ctx, hits);
    },

    find_ev_filter_locations: async (
      _: unknown,
      a: {
        lat?: number | null; lng?: number | null; distance?: number | null; city?: string | null; province?: string | null;
        facilities?: string[] | null; capabilities?: string[] | null; payment_types?: string[] | null; parking_types?: string[] | null;
        parking_restrictions?: string[] | null; connector_types?: string[] | null; limit?: number | null; offset?: number | null;
      },
      ctx: GraphqlContext,
    ): Promise<Location[]> => {
      const scope = await requireApiClient(ctx);
      const point = args.point(a);
      const distanceKm = args.distanceKm('distance', a.distance);
      if (distanceKm !== undefined && !point) throw new AppError('VALIDATION_FAILED', 'distance needs lat and lng', { argument: 'distance' });
      const { limit, offset } = args.page(a, ctx.config.maxLimit, ctx.config.maxLimit);
      const valid = await ctx.loaders.referenceCodes();
      const search: mapService.LocationSearch = { ...point, publishedOnly: scope.publishedOnly, limit, offset };
      const optional = {
        distanceKm,
        city: args.text('city', a.city),
        province: args.text('province', a.province),
        facilities: args.codes('facilities', a.facilities, valid.facility),
        capabilities: args.codes('capabilities', a.capabilities, valid.capability),
        paymentTypes: args.codes('payment_types', a.payment_types, valid.paymentType),
        parkingTypes: args.codes('parking_types', a.parking_types, valid.parkingType),
        parkingRestrictions: args.codes('parking_restrictions', a.parking_restrictions, valid.parkingRestriction),
        connectorTypes: args.codes('connector_types', a.connector_types, valid.connectorType),
      };
      for (const [key, value] of Object.entries(optional)) if (value !== undefined) (search as unknown as Record<string, unknown>)[key] = value;
      return locationsOf(ctx, await mapService.findLocationsNear(ctx.db, search));
    },
  },

  Subscription: {
    connector_status_changed: {
      subscribe: async (_: unknown, a: { location_ids?: number[] | null; lat?: number | null; lng?: number | null; distance?: number | null }, ctx: GraphqlContext) => {
        const scope = await requireAnyCaller(ctx);
        const locationIds = args.ids('location_ids', a.location_ids);
        const point = args.point(a);
        const distanceKm = args.distanceKm('distance', a.distance);
        if (point && distanceKm === undefined) throw new AppError('VALIDATION_FAILED', 'distance (km) is required with lat and lng', { argument: 'distance' });
        if (!point && distanceKm !== undefined) throw new AppError('VALIDATION_FAILED', 'distance needs lat and lng', { argument: 'distance' });
        if (!locationIds && !point) throw new AppError('VALIDATION_FAILED', 'give location_ids, or lat, lng and distance', { argument: 'location_ids' });
        const inner = ctx.statusFeed.subscribe({
          ...(locationIds ? { locationIds } : {}),
          ...(point ? { near: { ...point, distanceKm: distanceKm! } } : {}),
        });
        return visibleChanges(ctx, scope, inner);
      },
      resolve: (change: ConnectorStatusChange) => change,
    },
  },

  ConnectorStatusChange: {
    location_id: (c: ConnectorStatusChange) => c.locationId,
    evse_uid: (c: ConnectorStatusChange) => c.evseUid,
    connector_id: (c: ConnectorStatusChange) => c.connectorId,
    ocpp_status: (c: ConnectorStatusChange) => c.ocppStatus,
    status: (c: ConnectorStatusChange) => c.status,
    error_code: (c: ConnectorStatusChange) => c.errorCode,
    at: (c: ConnectorStatusChange) => iso(c.at),
  },

  Location: {
    cpo_owner_id: (l: Location) => l.cpoOwnerId,
    address_lat: (l: Location) => Number(l.addressLat),
    address_lng: (l: Location) => Number(l.addressLng),
    distance: (l: Location) => l.distanceKm ?? null,
    postal_code: (l: Location) => l.postalCode,
    country_code: (l: Location) => l.countryCode,
    images: async (l: Location, _: unknown, ctx: GraphqlContext) =>
      (await ctx.loaders.photosByLocation.load(l.id)).map((file) => `${(ctx.publicUrl ?? '').replace(/\/+$/, '')}/uploads/${file}`),
    date_created: (l: Location) => iso(l.dateCreated),
    date_modified: (l: Location) => iso(l.dateModified),
    evses: (l: Location, _: unknown, ctx: GraphqlContext) => ctx.loaders.evsesByLocation.load(l.id),
    facilities: (l: Location, _: unknown, ctx: GraphqlContext) => ctx.loaders.references.facility.load(l.id),
    parking_types: (l: Location, _: unknown, ctx: GraphqlContext) => ctx.loaders.references.parkingType.load(l.id),
    parking_restrictions: (l: Location, _: unknown, ctx: GraphqlContext) => ctx.loaders.references.parkingRestriction.load(l.id),
  },

  Evse: {
    evse_id: (e: Evse) => e.evseId,
    serial_number: (e: Evse) => e.serialNumber,
    meter_type: (e: Evse) => e.meterType,
    status: async (e: Evse, _: unknown, ctx: GraphqlContext) =>
      evseStatus({
        online: e.online,
        chargerOcppStatus: e.chargerOcppStatus,
        connectorOcppStatuses: (await ctx.loaders.connectorsByEvse.load(e.id)).map((c) => c.ocppStatus),
      }),
    cpo_location_id: (e: Evse) => e.locationId,
    // Where the charger's socket is now; a charger that is offline has none.
    current_ws_connection_id: (e: Evse) => (e.online ? e.wsConnectionId : null),
    server_id: (e: Evse) => (e.online ? e.serverId : null),
    date_created: (e: Evse) => iso(e.dateCreated),
    capabilities: (e: Evse, _: unknown, ctx: GraphqlContext) => ctx.loaders.references.capability.load(e.id),
    payment_types: (e: Evse, _: unknown, ctx: GraphqlContext) => ctx.loaders.references.paymentType.load(e.id),
    connectors: (e: Evse, _: unknown, ctx: GraphqlContext) => ctx.loaders.connectorsByEvse.load(e.id),
    locations: (e: Evse, _: unknown, ctx: GraphqlContext) => (e.locationId === null ? null : ctx.loaders.location.load(e.locationId)),
  },

  Connector: {
    evse_uid: (c: Connector) => c.evseUid,
    connector_id: (c: Connector) => c.connectorId,
    power_type: (c: Connector) => c.powerType,
    max_voltage: (c: Connector) => c.maxVoltage,
    max_amperage: (c: Connector) => c.maxAmperage,
    max_electric_power: (c: Connector) => c.maxElectricPower,
    connector_type: (c: Connector) => c.connectorType,
    rate_setting: (c: Connector) => numberOrNull(c.rateSetting),
    status: (c: Connector) => connectorStatus(c.ocppStatus, c.online),
    date_created: (c: Connector) => iso(c.dateCreated),
    date_modified: (c: Connector) => iso(c.dateModified),
  },
};
