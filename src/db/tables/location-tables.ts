import type { Generated } from 'kysely';
import type { DefaultTimestamp, Numeric } from './column-types.ts';

// Operators' sites: CPO owners, locations, EVSEs (one per charger) and their connectors.

export interface CpoOwnerTable {
  id: Generated<number>;
  name: string;
  countryCode: string;
  partyId: string;
  dateCreated: DefaultTimestamp;
  dateModified: DefaultTimestamp;
}

export interface LocationTable {
  id: Generated<number>;
  cpoOwnerId: number;
  name: string;
  address: string;
  addressLat: Numeric;
  addressLng: Numeric;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  countryCode: string;
  publish: Generated<boolean>;
  dateCreated: DefaultTimestamp;
  dateModified: DefaultTimestamp;
}

export interface EvseTable {
  id: Generated<number>;
  uid: string;
  evseId: string | null;
  locationId: number | null;
  serialNumber: string | null;
  meterType: string | null;
  kwh: Numeric | null;
  dateCreated: DefaultTimestamp;
  dateModified: DefaultTimestamp;
}

export interface ConnectorTable {
  id: Generated<number>;
  evseId: number;
  connectorId: number;
  standard: string;
  format: string;
  powerType: string;
  maxVoltage: number;
  maxAmperage: number;
  maxElectricPower: number;
  dateCreated: DefaultTimestamp;
  dateModified: DefaultTimestamp;
}
