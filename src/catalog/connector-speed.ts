// How a connector is described to drivers: its speed band, its power in kW, its power type and its
// status in the orders contract's vocabulary. Pure functions, no I/O.

export type ChargingSpeed = 'SLOW' | 'NORMAL' | 'FAST' | 'ULTRAFAST';
export type ContractPowerType = 'AC' | 'AC_3_PHASE' | 'DC';
export type ContractConnectorStatus = 'Available' | 'Occupied' | 'Reserved' | 'OutOfOrder' | 'Unknown';

/**
 * The contract's speed band of a connector's maximum power, in watts (integers, so no float compares).
 * The contract names 3-7 kW SLOW, 7-22 NORMAL, 50-60 FAST and 120+ ULTRAFAST, leaving gaps (below 3,
 * 22-50, 60-120) and shared edges (7, 22). We close them so every power has one band: an edge belongs to
 * the lower band (7 kW is SLOW, 22 kW is NORMAL), anything under 3 kW is SLOW, everything from above
 * 22 kW up to (not including) 120 kW is FAST, and 120 kW and more is ULTRAFAST.
 */
export function chargingSpeed(maxPowerW: number): ChargingSpeed {
  if (maxPowerW <= 7_000) return 'SLOW';
  if (maxPowerW <= 22_000) return 'NORMAL';
  if (maxPowerW < 120_000) return 'FAST';
  return 'ULTRAFAST';
}

/** Watts as a kW decimal string, exactly: 7400 → "7.4", 50000 → "50", 3680 → "3.68". */
export function kilowatts(watts: number): string {
  if (!Number.isSafeInteger(watts)) throw new RangeError(`power must be whole watts, got ${watts}`);
  const sign = watts < 0 ? '-' : '';
  const abs = Math.abs(watts);
  const whole = Math.floor(abs / 1000);
  const fraction = String(abs % 1000).padStart(3, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Our power types (AC_1_PHASE, AC_3_PHASE, DC) in the contract's names; single phase is plain "AC". */
export function contractPowerType(powerType: string): ContractPowerType {
  const upper = powerType.toUpperCase();
  if (upper === 'DC') return 'DC';
  if (upper === 'AC_3_PHASE') return 'AC_3_PHASE';
  return 'AC';
}

const FROM_OCPP: Readonly<Record<string, ContractConnectorStatus>> = {
  Available: 'Available',
  // Plugged in, charging, paused or just leaving: the connector is taken either way.
  Preparing: 'Occupied',
  Charging: 'Occupied',
  SuspendedEV: 'Occupied',
  SuspendedEVSE: 'Occupied',
  Finishing: 'Occupied',
  Reserved: 'Reserved',
  Faulted: 'OutOfOrder',
  Unavailable: 'OutOfOrder',
};

/**
 * The contract status of a connector from its last OCPP StatusNotification. An offline charger's last
 * report may be stale, so it is Unknown; so is a connector that never reported. A whole-charger
 * (connector 0) Faulted or Unavailable puts every connector out of order, whatever they last said.
 */
export function connectorStatus(ocppStatus: string | null, online: boolean, chargerOcppStatus: string | null = null): ContractConnectorStatus {
  if (!online) return 'Unknown';
  if (chargerOcppStatus === 'Faulted' || chargerOcppStatus === 'Unavailable') return 'OutOfOrder';
  if (!ocppStatus || !Object.hasOwn(FROM_OCPP, ocppStatus)) return 'Unknown';
  return FROM_OCPP[ocppStatus]!;
}
