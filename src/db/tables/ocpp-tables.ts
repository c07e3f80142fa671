import type { Generated } from 'kysely';
import type { DefaultTimestamp, Json, Numeric, Timestamp } from './column-types.ts';

// What chargers report: identity and online state, connector status, transactions, meter values.

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

/** What one StatusNotification says about a connector (0 = the charger itself). */
interface StatusColumns {
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

/** The latest report per connector. */
export type ConnectorStatusTable = StatusColumns;

/** Every report, as history. */
export interface StatusEventTable extends StatusColumns {
  id: Generated<number>;
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
  payload: Json;
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
