import type { ColumnType, Generated } from 'kysely';
import type { DefaultTimestamp, Json, Timestamp } from './column-types.ts';

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

/**
 * One row per reading (an OCPP MeterValue: one timestamp, the values sampled then). Its values are
 * in the order of its layout's arrays: element i of value and raw_value is what layout element i
 * describes. Written by meter-value.repository only; read through the meter_value view.
 */
export interface MeterReadingTable {
  id: Generated<number>;
  chargePointId: string;
  connectorId: number;
  transactionId: number | null;
  sampledAt: Timestamp;
  receivedAt: DefaultTimestamp;
  layoutId: number;
  value: Array<string | null>;
  rawValue: Array<string | null>;
}

/** What each value of a reading measures, as parallel arrays; one row per distinct layout, never changed. */
export interface MeterLayoutTable {
  id: Generated<number>;
  measurand: string[];
  phase: Array<string | null>;
  unit: Array<string | null>;
  context: string[];
  location: Array<string | null>;
  format: string[];
}

type ViewColumn<T> = ColumnType<T, never, never>;

/** The view meter_value: one row per sampled value of meter_reading (read-only). */
export interface MeterValueView {
  readingId: ViewColumn<number>;
  /** 1-based position of the value within its reading. */
  valueIndex: ViewColumn<number>;
  chargePointId: ViewColumn<string>;
  connectorId: ViewColumn<number>;
  transactionId: ViewColumn<number | null>;
  sampledAt: ViewColumn<Date>;
  measurand: ViewColumn<string>;
  phase: ViewColumn<string | null>;
  unit: ViewColumn<string | null>;
  context: ViewColumn<string>;
  location: ViewColumn<string | null>;
  format: ViewColumn<string>;
  /** Exact decimal (numeric as a string); null when the value is not a plain decimal. */
  value: ViewColumn<string | null>;
  /** The value as sent when it is not a plain decimal (SignedData, vendor text). */
  rawValue: ViewColumn<string | null>;
  receivedAt: ViewColumn<Date>;
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
