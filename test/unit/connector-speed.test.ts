import { describe, expect, it } from 'vitest';
import { chargingSpeed, connectorStatus, contractPowerType, kilowatts } from '../../src/catalog/connector-speed.ts';

describe('chargingSpeed', () => {
  it('puts the contract bands and their edges in one band each', () => {
    expect(chargingSpeed(3_000)).toBe('SLOW');
    expect(chargingSpeed(7_000)).toBe('SLOW');
    expect(chargingSpeed(7_001)).toBe('NORMAL');
    expect(chargingSpeed(7_400)).toBe('NORMAL');
    expect(chargingSpeed(22_000)).toBe('NORMAL');
    expect(chargingSpeed(50_000)).toBe('FAST');
    expect(chargingSpeed(60_000)).toBe('FAST');
    expect(chargingSpeed(120_000)).toBe('ULTRAFAST');
    expect(chargingSpeed(350_000)).toBe('ULTRAFAST');
  });

  it('closes the gaps the contract leaves', () => {
    expect(chargingSpeed(0)).toBe('SLOW');
    expect(chargingSpeed(2_300)).toBe('SLOW');
    expect(chargingSpeed(22_001)).toBe('FAST');
    expect(chargingSpeed(30_000)).toBe('FAST');
    expect(chargingSpeed(90_000)).toBe('FAST');
    expect(chargingSpeed(119_999)).toBe('FAST');
  });
});

describe('kilowatts', () => {
  it('divides by 1000 exactly, without trailing zeros', () => {
    expect(kilowatts(50_000)).toBe('50');
    expect(kilowatts(7_400)).toBe('7.4');
    expect(kilowatts(3_680)).toBe('3.68');
    expect(kilowatts(11_085)).toBe('11.085');
    expect(kilowatts(999)).toBe('0.999');
    expect(kilowatts(0)).toBe('0');
    expect(() => kilowatts(1.5)).toThrow(RangeError);
  });
});

describe('contractPowerType', () => {
  it('names single phase AC plainly', () => {
    expect(contractPowerType('AC_1_PHASE')).toBe('AC');
    expect(contractPowerType('AC_3_PHASE')).toBe('AC_3_PHASE');
    expect(contractPowerType('DC')).toBe('DC');
  });
});

describe('connectorStatus', () => {
  it('maps OCPP statuses', () => {
    expect(connectorStatus('Available', true)).toBe('Available');
    for (const s of ['Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing']) expect(connectorStatus(s, true)).toBe('Occupied');
    expect(connectorStatus('Reserved', true)).toBe('Reserved');
    expect(connectorStatus('Faulted', true)).toBe('OutOfOrder');
    expect(connectorStatus('Unavailable', true)).toBe('OutOfOrder');
    expect(connectorStatus(null, true)).toBe('Unknown');
    expect(connectorStatus('Bogus', true)).toBe('Unknown');
    expect(connectorStatus('toString', true)).toBe('Unknown');
  });

  it('an offline charger is Unknown; a faulted whole charger puts its connectors out of order', () => {
    expect(connectorStatus('Available', false)).toBe('Unknown');
    expect(connectorStatus('Available', true, 'Faulted')).toBe('OutOfOrder');
    expect(connectorStatus('Charging', true, 'Unavailable')).toBe('OutOfOrder');
    expect(connectorStatus('Available', true, 'Available')).toBe('Available');
  });
});
