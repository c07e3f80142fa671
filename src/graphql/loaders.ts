import DataLoader from 'dataloader';
import type { Db } from '../db/database.ts';
import * as mapService from '../map/map.service.ts';

// One set per request: every nested list of a page is fetched in one query per level, whatever the
// page size (evses of all its locations, connectors of all those evses, …), and nothing is cached
// across requests, so live statuses are always read fresh.

export type Reference = Omit<mapService.MapReference, 'ownerId'>;

export interface Loaders {
  location: DataLoader<number, mapService.MapLocation | null>;
  evsesByLocation: DataLoader<number, mapService.MapEvse[]>;
  connectorsByEvse: DataLoader<number, mapService.MapConnector[]>;
  photosByLocation: DataLoader<number, string[]>;
  references: Record<mapService.LocationReferenceKind | mapService.EvseReferenceKind, DataLoader<number, Reference[]>>;
  /** The reference codes the finders accept, read once per request. */
  referenceCodes(): Promise<Record<mapService.FilterKind, string[]>>;
}

function groupBy<T, K>(rows: readonly T[], key: (row: T) => K, keys: readonly K[]): T[][] {
  const groups = new Map<K, T[]>(keys.map((k) => [k, []]));
  for (const row of rows) groups.get(key(row))?.push(row);
  return keys.map((k) => groups.get(k)!);
}

export function createLoaders(db: Db): Loaders {
  const references = (kind: mapService.LocationReferenceKind | mapService.EvseReferenceKind) =>
    new DataLoader<number, Reference[]>(async (ids) =>
      groupBy(await mapService.referencesByOwnerIds(db, kind, ids), (r) => r.ownerId, ids)
        .map((rows) => rows.map(({ id, code, description }) => ({ id, code, description }))));
  let codes: ReturnType<Loaders['referenceCodes']> | undefined;
  return {
    location: new DataLoader(async (ids) => {
      const byId = new Map((await mapService.findLocationsByIds(db, ids)).map((l) => [l.id, l]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    evsesByLocation: new DataLoader(async (ids) => groupBy(await mapService.evsesByLocationIds(db, ids), (e) => e.locationId!, ids)),
    connectorsByEvse: new DataLoader(async (ids) => groupBy(await mapService.connectorsByEvseIds(db, ids), (c) => c.evseId, ids)),
    photosByLocation: new DataLoader(async (ids) =>
      groupBy(await mapService.photosByLocationIds(db, ids), (p) => p.locationId, ids).map((rows) => rows.map((p) => p.fileName))),
    references: {
      facility: references('facility'),
      parkingType: references('parkingType'),
      parkingRestriction: references('parkingRestriction'),
      capability: references('capability'),
      paymentType: references('paymentType'),
    },
    referenceCodes: () => (codes ??= mapService.referenceCodes(db)),
  };
}
