// OCPP 1.6 ChargePointStatus → OCPI 2.2 connector and EVSE status, for maps. Pure functions, no I/O.
// The status-by-status table is src/map/ocpi-status.ts (shared with the status feed); this adds what
// the map layer decides on top of it: an offline charger is UNKNOWN, and an EVSE's status from its connectors.

import { ocpiStatus, type OcpiConnectorStatus } from '../map/ocpi-status.ts';

export { ocpiStatus };

export type OcpiStatus = OcpiConnectorStatus;

/**
 * A connector's OCPI status: its last reported OCPP status while the charger is online; UNKNOWN when
 * the charger is offline (what it last said may no longer be true) or has reported nothing.
 */
export function connectorStatus(ocppStatus: string | null | undefined, online: boolean | null | undefined): OcpiStatus {
  if (!online || !ocppStatus) return 'UNKNOWN';
  return ocpiStatus(ocppStatus);
}

/** The order in which a connector's status speaks for its EVSE: the most useful to a driver first. */
export const EVSE_STATUS_PRECEDENCE: readonly OcpiStatus[] = ['CHARGING', 'AVAILABLE', 'RESERVED', 'INOPERATIVE', 'OUTOFORDER', 'UNKNOWN'];

/**
 * An EVSE's (one charger's) OCPI status. Offline → UNKNOWN. Connector 0 stands for the whole charger:
 * Faulted → OUTOFORDER, Unavailable → INOPERATIVE, whatever the connectors say. Otherwise the first
 * status of EVSE_STATUS_PRECEDENCE that any connector has (CHARGING if any is in use, else AVAILABLE if
 * any is free, …); with no connector status at all, connector 0's own mapping, else UNKNOWN.
 */
export function evseStatus(input: {
  online: boolean | null | undefined;
  /** Connector 0's last OCPP status, if any. */
  chargerOcppStatus: string | null | undefined;
  /** The OCPP statuses last reported for connectors 1..n (null: none yet). */
  connectorOcppStatuses: ReadonlyArray<string | null | undefined>;
}): OcpiStatus {
  if (!input.online) return 'UNKNOWN';
  const whole = connectorStatus(input.chargerOcppStatus, true);
  if (whole === 'OUTOFORDER' || whole === 'INOPERATIVE') return whole;
  const seen = new Set(input.connectorOcppStatuses.map((s) => connectorStatus(s, true)));
  for (const status of EVSE_STATUS_PRECEDENCE) {
    if (status !== 'UNKNOWN' && seen.has(status)) return status;
  }
  return whole;
}
