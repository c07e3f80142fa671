// OCPP 1.6 ChargePointStatus → OCPI connector status, as a map shows it. Pure, no I/O.

export type OcpiConnectorStatus = 'AVAILABLE' | 'CHARGING' | 'RESERVED' | 'INOPERATIVE' | 'OUTOFORDER' | 'UNKNOWN';

const FROM_OCPP: Readonly<Record<string, OcpiConnectorStatus>> = {
  Available: 'AVAILABLE',
  // A car is plugged in or just leaving: the connector is taken either way.
  Preparing: 'CHARGING',
  Charging: 'CHARGING',
  SuspendedEV: 'CHARGING',
  SuspendedEVSE: 'CHARGING',
  Finishing: 'CHARGING',
  Reserved: 'RESERVED',
  Unavailable: 'INOPERATIVE',
  Faulted: 'OUTOFORDER',
};

/** The OCPI status of an OCPP status; anything unknown (or none) → UNKNOWN. An offline charger is the caller's call. */
export function ocpiStatus(ocppStatus: string | null | undefined): OcpiConnectorStatus {
  if (!ocppStatus) return 'UNKNOWN';
  return Object.hasOwn(FROM_OCPP, ocppStatus) ? FROM_OCPP[ocppStatus]! : 'UNKNOWN';
}
