import type { ChargerSummary, ConnectorSpec, ConnectorState } from '../charge-points/charger-overview.service.ts';
import type { LiveReadings } from '../meter-values/meter-sample.ts';
import type {
  ChargePointRow, ChargingProfileRow, IdTagRow, InstalledChargingProfileRow, MeterValueRow, OcppCommandRow, ReservationRow, TransactionRow,
} from '../db/schema.ts';

// Domain rows → the operator API's snake_case JSON. Secrets (password hashes) never leave here.

export function chargePointJson(cp: ChargePointRow) {
  return {
    id: cp.id,
    registration_status: cp.registrationStatus,
    online: cp.online,
    last_seen_at: cp.lastSeenAt,
    connected_at: cp.connectedAt,
    disconnected_at: cp.disconnectedAt,
    server_id: cp.serverId,
    ws_connection_id: cp.wsConnectionId,
    password_protected: cp.passwordHash !== null,
    vendor: cp.vendor,
    model: cp.model,
    firmware_version: cp.firmwareVersion,
    last_boot_at: cp.lastBootAt,
  };
}

export function bootJson(cp: ChargePointRow) {
  return {
    at: cp.lastBootAt,
    vendor: cp.vendor,
    model: cp.model,
    charge_point_serial_number: cp.chargePointSerialNumber,
    charge_box_serial_number: cp.chargeBoxSerialNumber,
    firmware_version: cp.firmwareVersion,
    iccid: cp.iccid,
    imsi: cp.imsi,
    meter_type: cp.meterType,
    meter_serial_number: cp.meterSerialNumber,
  };
}

function statusJson(s: ConnectorState) {
  return { status: s.status, error_code: s.errorCode, info: s.info, vendor_id: s.vendorId, vendor_error_code: s.vendorErrorCode, status_at: s.statusAt };
}

/** Connectors by id: the EVSE's specs merged with the live state the charger reported. */
export function connectorsJson(specs: ConnectorSpec[], statuses: ConnectorState[]) {
  const ids = [...new Set([...specs.map((c) => c.connectorId), ...statuses.filter((s) => s.connectorId > 0).map((s) => s.connectorId)])].sort((a, b) => a - b);
  return ids.map((connectorId) => {
    const spec = specs.find((c) => c.connectorId === connectorId);
    const state = statuses.find((s) => s.connectorId === connectorId);
    return {
      connector_id: connectorId,
      ...(state ? statusJson(state) : { status: null, error_code: null, info: null, vendor_id: null, vendor_error_code: null, status_at: null }),
      standard: spec?.standard ?? null,
      format: spec?.format ?? null,
      power_type: spec?.powerType ?? null,
      max_voltage: spec?.maxVoltage ?? null,
      max_amperage: spec?.maxAmperage ?? null,
      max_electric_power: spec?.maxElectricPower ?? null,
    };
  });
}

export function chargerSummaryJson(s: ChargerSummary) {
  const own = s.statuses.find((x) => x.connectorId === 0);
  return { ...chargePointJson(s.chargePoint), status: own ? statusJson(own) : null, connectors: connectorsJson(s.connectors, s.statuses) };
}

export function transactionJson(t: TransactionRow) {
  return {
    id: t.id,
    charge_point_id: t.chargePointId,
    connector_id: t.connectorId,
    id_tag: t.idTag,
    id_tag_status: t.idTagStatus,
    reservation_id: t.reservationId,
    meter_start: t.meterStart,
    start_timestamp: t.startTimestamp,
    meter_stop: t.meterStop,
    stop_timestamp: t.stopTimestamp,
    stop_reason: t.stopReason,
    stop_id_tag: t.stopIdTag,
    active: t.stopTimestamp === null,
    energy_wh: t.meterStop === null ? null : t.meterStop - t.meterStart,
  };
}

export function readingsJson(r: LiveReadings) {
  return { energy_wh: r.energyWh, power_w: r.powerW, current_a: r.currentA, voltage_v: r.voltageV, soc_percent: r.socPercent, sampled_at: r.sampledAt };
}

export function meterValueJson(m: MeterValueRow) {
  return {
    sampled_at: m.sampledAt,
    measurand: m.measurand,
    phase: m.phase,
    unit: m.unit,
    context: m.context,
    location: m.location,
    format: m.format,
    value: m.value,
    raw_value: m.rawValue,
  };
}

export function commandJson(c: OcppCommandRow) {
  return {
    id: c.id,
    charge_point_id: c.chargePointId,
    action: c.action,
    payload: c.payload,
    requested_by: c.requestedBy,
    requested_at: c.requestedAt,
    status: c.status,
    response: c.response,
    error_code: c.errorCode,
    error_description: c.errorDescription,
    duration_ms: c.durationMs,
    completed_at: c.completedAt,
    executing_node: c.executingNode,
  };
}

export function reservationJson(r: ReservationRow) {
  return {
    id: r.id,
    charge_point_id: r.chargePointId,
    connector_id: r.connectorId,
    id_tag: r.idTag,
    parent_id_tag: r.parentIdTag,
    expiry_date: r.expiryDate,
    status: r.status,
    charger_answer: r.chargerAnswer,
    transaction_id: r.transactionId,
    created_at: r.createdAt,
  };
}

export function chargingProfileJson(p: ChargingProfileRow) {
  return {
    id: p.id,
    name: p.name,
    purpose: p.purpose,
    stack_level: p.stackLevel,
    kind: p.kind,
    recurrency_kind: p.recurrencyKind,
    valid_from: p.validFrom,
    valid_to: p.validTo,
    schedule: p.schedule,
    created_at: p.createdAt,
  };
}

export function installedProfileJson(p: InstalledChargingProfileRow) {
  return {
    charging_profile_id: p.chargingProfileId,
    connector_id: p.connectorId,
    purpose: p.purpose,
    stack_level: p.stackLevel,
    transaction_id: p.transactionId,
    named_profile_id: p.namedProfileId,
    profile: p.profile,
    installed_at: p.installedAt,
  };
}

export function idTagJson(t: IdTagRow) {
  return { id_tag: t.idTag, status: t.status, expiry_date: t.expiryDate, parent_id_tag: t.parentIdTag, created_at: t.createdAt, updated_at: t.updatedAt };
}
