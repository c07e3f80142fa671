import { AppError } from '../errors.ts';
import { Decimal } from '../money/decimal-money.ts';
import type { VehicleProfile } from './vehicle-catalogue.ts';

// A first estimate for a driver: steady power at the lower of the charger's and the vehicle's limit.
// Real sessions taper near a full battery, which is why the default request stops at 80 %.

export interface ChargingEstimate { powerKw: string; durationMinutes: number; batteryPercent: number }

export function estimateCharging(input: {
  energyKwh: string;
  connectorMaxKw: string;
  powerType: 'AC' | 'DC';
  vehicle: VehicleProfile;
}): ChargingEstimate {
  const energy = decimal(input.energyKwh, 'energyKwh');
  if (energy.isNegative()) throw invalid('energyKwh must not be negative', 'energyKwh');
  const connectorKw = decimal(input.connectorMaxKw, 'connectorMaxKw');
  const vehicleLimit = input.powerType === 'DC' ? input.vehicle.maxDcKw : input.vehicle.maxAcKw;
  if (vehicleLimit === null) throw invalid(`${input.vehicle.make} ${input.vehicle.model} cannot charge on DC`, 'powerType');
  const power = Decimal.min(connectorKw, decimal(vehicleLimit, 'vehicle power'));
  if (power.sign <= 0) throw invalid('charging power must be positive', 'connectorMaxKw');

  const minutes = Number(energy.mul(60).div(power, 0, 'CEILING').toString());
  const battery = decimal(input.vehicle.batteryKwh, 'batteryKwh');
  const percent = battery.sign > 0 ? Number(energy.mul(100).div(battery, 0, 'HALF_UP').toString()) : 100;
  return {
    powerKw: power.toString(),
    durationMinutes: energy.isZero() ? 0 : Math.max(1, minutes),
    batteryPercent: Math.min(100, percent),
  };
}

/** The energy of a 20 % → 80 % charge: 0.6 × the usable battery, kWh with 3 decimals. */
export function defaultEnergyKwh(vehicle: VehicleProfile): string {
  return decimal(vehicle.batteryKwh, 'batteryKwh').mul('0.6').toFixed(3);
}

function decimal(value: string, field: string): Decimal {
  try {
    return Decimal.parse(value);
  } catch {
    throw invalid(`${field} is not a decimal number`, field);
  }
}

function invalid(message: string, field: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { field });
}
