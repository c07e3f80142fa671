// The read model of the map (GraphQL): locations, EVSEs, connectors with live status, reference
// codes, photos, and geo search. Reads only, batched for DataLoaders; no rules beyond visibility,
// which the repository queries encode, so this service passes the repositories' reads through.

export {
  connectorsByEvseIds,
  evsesByLocationIds,
  findLocationsByIds,
  listEvses,
  listLocations,
  photosByLocationIds,
  referenceCodes,
  referencesByOwnerIds,
  visibleLocationIds,
} from './map.repository.ts';
export type {
  EvseOrder,
  EvseReferenceKind,
  FilterKind,
  LocationReferenceKind,
  MapConnector,
  MapEvse,
  MapLocation,
  MapReference,
} from './map.repository.ts';
export { findLocationsNear } from './geo.repository.ts';
export type { LocationHit, LocationSearch } from './geo.repository.ts';
