import type { Generated } from 'kysely';
import type { DefaultTimestamp, Json, Timestamp } from './column-types.ts';

// What the platform asks of chargers and what it implies: commands, configuration, reservations,
// charging profiles, local auth lists; and the nodes of the cluster.

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
