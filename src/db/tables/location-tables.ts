import type { Generated } from 'kysely';
import type { DefaultTimestamp, Numeric } from './column-types.ts';

// Operators' sites: CPO owners, locations, EVSEs (one per charger) and their connectors.

export interface CpoOwnerTable {
  id: Generated<number>;
  name: string;
  countryCode: string;
  partyId: string;
  contactName: string | null;
  contactNumber: string | null;
  contactEmail: string | null;
  ocppReady: Generated<boolean>;
  /** File name of the logo under the uploads directory. */
  logo: string | null;
  /** sha256 of the CPO's webhook token (token C); the token itself is shown once. */
  tokenCHash: string | null;
  /** Shown to drivers by the order support endpoint. */
  supportName: string | null;
  supportPhone: string | null;
  supportEmail: string | null;
  supportUrl: string | null;
  supportHours: string | null;
  supportChannels: string[] | null;
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
  province: string | null;
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
  status: Generated<string>;
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
  connectorType: string | null;
  rateSetting: Numeric | null;
  dateCreated: DefaultTimestamp;
  dateModified: DefaultTimestamp;
}

export interface LocationPhotoTable {
  id: Generated<number>;
  locationId: number;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  dateCreated: DefaultTimestamp;
  dateModified: DefaultTimestamp;
}

/** The reference lists (connector types, facilities, capabilities, payment/parking types, restrictions). */
export interface ReferenceTable {
  id: number;
  code: string;
  description: string;
}

export interface LocationFacilityTable { locationId: number; facilityId: number }
export interface LocationParkingTypeTable { locationId: number; parkingTypeId: number }
export interface LocationParkingRestrictionTable { locationId: number; parkingRestrictionId: number }
export interface EvseCapabilityTable { evseId: number; capabilityId: number }
export interface EvsePaymentTypeTable { evseId: number; paymentTypeId: number }
