import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

// Table types as kysely sees them through CamelCasePlugin (snake_case in SQL, camelCase here).
// numeric columns come back as strings so decimals stay exact; bigint/int8 as numbers.

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Numeric = ColumnType<string, string | number, string | number>;

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

export interface ChargePointTable {
  id: string;
  passwordHash: string | null;
  registrationStatus: Generated<'Accepted' | 'Pending' | 'Rejected'>;
  vendor: string | null;
  model: string | null;
  chargePointSerialNumber: string | null;
  chargeBoxSerialNumber: string | null;
  firmwareVersion: string | null;
  iccid: string | null;
  imsi: string | null;
  meterType: string | null;
  meterSerialNumber: string | null;
  lastBootAt: Timestamp | null;
  online: Generated<boolean>;
  lastSeenAt: Timestamp | null;
  connectedAt: Timestamp | null;
  disconnectedAt: Timestamp | null;
  serverId: string | null;
  wsConnectionId: string | null;
  diagnosticsStatus: string | null;
  diagnosticsStatusAt: Timestamp | null;
  firmwareStatus: string | null;
  firmwareStatusAt: Timestamp | null;
  localListVersion: number | null;
  createdAt: DefaultTimestamp;
  updatedAt: DefaultTimestamp;
}

export interface ConnectorStatusTable {
  chargePointId: string;
  connectorId: number;
  status: string;
  errorCode: string;
  info: string | null;
  vendorId: string | null;
  vendorErrorCode: string | null;
  statusAt: Timestamp;
  receivedAt: DefaultTimestamp;
}

export interface StatusEventTable {
  id: Generated<number>;
  chargePointId: string;
  connectorId: number;
  status: string;
  errorCode: string;
  info: string | null;
  vendorId: string | null;
  vendorErrorCode: string | null;
  statusAt: Timestamp;
  receivedAt: DefaultTimestamp;
}

export interface IdTagTable {
  idTag: string;
  status: Generated<'Accepted' | 'Blocked' | 'Expired' | 'Invalid'>;
  expiryDate: Timestamp | null;
  parentIdTag: string | null;
  createdAt: DefaultTimestamp;
  updatedAt: DefaultTimestamp;
}

export interface TransactionTable {
  id: Generated<number>;
  chargePointId: string;
  connectorId: number;
  idTag: string;
  idTagStatus: string;
  meterStart: number;
  startTimestamp: Timestamp;
  reservationId: number | null;
  meterStop: number | null;
  stopTimestamp: Timestamp | null;
  stopReason: string | null;
  stopIdTag: string | null;
  createdAt: DefaultTimestamp;
  stoppedAt: Timestamp | null;
}

export interface TransactionStopAnomalyTable {
  id: Generated<number>;
  chargePointId: string;
  transactionId: number;
  kind: 'unknown_transaction' | 'already_stopped';
  idTag: string | null;
  meterStop: number;
  stopTimestamp: Timestamp;
  reason: string | null;
  payload: ColumnType<unknown, string, string>;
  receivedAt: DefaultTimestamp;
  resolvedAt: Timestamp | null;
}

export interface MeterValueTable {
  id: Generated<number>;
  chargePointId: string;
  connectorId: number;
  transactionId: number | null;
  sampledAt: Timestamp;
  measurand: string;
  phase: string | null;
  unit: string | null;
  context: string;
  location: string | null;
  format: string;
  value: Numeric | null;
  /** The value as sent when it is not a plain decimal (SignedData, vendor text). */
  rawValue: string | null;
  receivedAt: DefaultTimestamp;
}

export interface DataTransferTable {
  id: Generated<number>;
  chargePointId: string;
  direction: 'incoming' | 'outgoing';
  vendorId: string;
  messageId: string | null;
  data: string | null;
  status: string;
  responseData: string | null;
  receivedAt: DefaultTimestamp;
}

export interface ChargePointEventTable {
  id: Generated<number>;
  chargePointId: string;
  kind: 'diagnostics' | 'firmware';
  status: string;
  receivedAt: DefaultTimestamp;
}

export type UserRole = 'ADMIN' | 'OPERATOR' | 'CPO_OWNER';

export interface AppUserTable {
  id: Generated<number>;
  username: string;
  passwordHash: string;
  role: UserRole;
  cpoOwnerId: number | null;
  mustChangePassword: Generated<boolean>;
  disabled: Generated<boolean>;
  createdAt: DefaultTimestamp;
  updatedAt: DefaultTimestamp;
}

type Json = ColumnType<unknown, string, string>;

export type CommandStatus = 'pending' | 'answered' | 'error' | 'timeout' | 'offline';

export interface OcppCommandTable {
  id: Generated<number>;
  chargePointId: string;
  action: string;
  payload: Json;
  requestedBy: string;
  requestedAt: DefaultTimestamp;
  originNode: string;
  executingNode: string | null;
  status: Generated<CommandStatus>;
  response: Json | null;
  errorCode: string | null;
  errorDescription: string | null;
  durationMs: number | null;
  completedAt: Timestamp | null;
}

export interface ChargePointConfigurationTable {
  chargePointId: string;
  key: string;
  value: string | null;
  readonly: boolean;
  updatedAt: DefaultTimestamp;
}

export type ReservationStatus = 'requested' | 'reserved' | 'rejected' | 'used' | 'expired' | 'cancelled';

export interface ReservationTable {
  id: Generated<number>;
  chargePointId: string;
  connectorId: number;
  idTag: string;
  parentIdTag: string | null;
  expiryDate: Timestamp;
  status: Generated<ReservationStatus>;
  chargerAnswer: string | null;
  transactionId: number | null;
  createdAt: DefaultTimestamp;
  updatedAt: DefaultTimestamp;
}

export interface ChargingProfileTable {
  id: Generated<number>;
  name: string;
  purpose: 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';
  stackLevel: number;
  kind: 'Absolute' | 'Recurring' | 'Relative';
  recurrencyKind: 'Daily' | 'Weekly' | null;
  validFrom: Timestamp | null;
  validTo: Timestamp | null;
  schedule: Json;
  createdAt: DefaultTimestamp;
}

export interface InstalledChargingProfileTable {
  chargePointId: string;
  chargingProfileId: number;
  connectorId: number;
  purpose: string;
  stackLevel: number;
  transactionId: number | null;
  profile: Json;
  namedProfileId: number | null;
  installedAt: DefaultTimestamp;
}

export interface LocalListEntryTable {
  chargePointId: string;
  idTag: string;
  status: string;
  expiryDate: Timestamp | null;
  parentIdTag: string | null;
}

export interface ClusterNodeTable {
  id: string;
  startedAt: DefaultTimestamp;
  lastHeartbeatAt: DefaultTimestamp;
}

export interface Tables {
  cpoOwner: CpoOwnerTable;
  location: LocationTable;
  evse: EvseTable;
  connector: ConnectorTable;
  chargePoint: ChargePointTable;
  connectorStatus: ConnectorStatusTable;
  statusEvent: StatusEventTable;
  idTag: IdTagTable;
  transaction: TransactionTable;
  transactionStopAnomaly: TransactionStopAnomalyTable;
  meterValue: MeterValueTable;
  dataTransfer: DataTransferTable;
  chargePointEvent: ChargePointEventTable;
  appUser: AppUserTable;
  ocppCommand: OcppCommandTable;
  chargePointConfiguration: ChargePointConfigurationTable;
  reservation: ReservationTable;
  chargingProfile: ChargingProfileTable;
  installedChargingProfile: InstalledChargingProfileTable;
  localListEntry: LocalListEntryTable;
  clusterNode: ClusterNodeTable;
}

export type AppUserRow = Selectable<AppUserTable>;
export type OcppCommandRow = Selectable<OcppCommandTable>;
export type ReservationRow = Selectable<ReservationTable>;
export type ChargingProfileRow = Selectable<ChargingProfileTable>;
export type InstalledChargingProfileRow = Selectable<InstalledChargingProfileTable>;

export type ChargePointRow = Selectable<ChargePointTable>;
export type NewChargePoint = Insertable<ChargePointTable>;
export type ChargePointUpdate = Updateable<ChargePointTable>;
export type TransactionRow = Selectable<TransactionTable>;
export type IdTagRow = Selectable<IdTagTable>;
export type NewMeterValue = Insertable<MeterValueTable>;
export type MeterValueRow = Selectable<MeterValueTable>;
