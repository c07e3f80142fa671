import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { Decimal } from '../../src/money/decimal-money.ts';
import { defaultEnergyKwh, estimateCharging } from '../../src/vehicles/charging-estimate.ts';
import catalogue from '../../src/vehicles/vehicle-catalogue.json' with { type: 'json' };
import {
  VEHICLE_TYPES, canUseConnector, lookupVehicle, normalizeConnectorType, vehicleType,
} from '../../src/vehicles/vehicle-catalogue.ts';

const CONNECTORS = ['TYPE_1', 'TYPE_2', 'CCS1', 'CCS2', 'CHADEMO', 'GBT', 'LECCS', 'BHARAT_AC001', 'BHARAT_DC001'];

describe('the catalogue data', () => {
  it('has about 25 well-formed vehicles of every type', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(25);
    for (const v of catalogue) {
      expect(VEHICLE_TYPES).toContain(v.type);
      expect(Decimal.isValid(v.batteryKwh) && Decimal.parse(v.batteryKwh).sign > 0).toBe(true);
      expect(Decimal.isValid(v.maxAcKw) && Decimal.parse(v.maxAcKw).sign > 0).toBe(true);
      if (v.maxDcKw !== null) expect(Decimal.parse(v.maxDcKw).sign > 0).toBe(true);
      expect(v.connectorTypes.length).toBeGreaterThan(0);
      for (const c of v.connectorTypes) expect(CONNECTORS).toContain(c);
    }
    for (const type of VEHICLE_TYPES) expect(catalogue.some((v) => v.type === type)).toBe(true);
  });

  it('finds every entry by its own make and model, and no two entries collide', () => {
    for (const v of catalogue) {
      expect(lookupVehicle({ make: v.make, model: v.model })).toMatchObject({ make: v.make, model: v.model, known: true });
    }
  });
});

describe('lookupVehicle', () => {
  it('matches make and model ignoring case, spaces and punctuation', () => {
    const model3 = lookupVehicle({ make: 'tesla', model: ' MODEL3 ' });
    expect(model3).toEqual({
      make: 'Tesla', model: 'Model 3', type: '4-wheeler', batteryKwh: '57.5', maxAcKw: '11', maxDcKw: '170',
      connectorTypes: ['TYPE_2', 'CCS2'], known: true,
    });
    expect(lookupVehicle({ make: 'VOLKSWAGEN', model: 'id 4' }).model).toBe('ID.4');
    expect(lookupVehicle({ make: 'VW', model: 'ID.4' }).known).toBe(true);
    expect(lookupVehicle({ make: 'hyundai', model: 'IONIQ-5' }).batteryKwh).toBe('72.6');
  });

  it('treats a trailing "EV" or "Electric" as optional and accepts the make inside the model', () => {
    expect(lookupVehicle({ make: 'Tata', model: 'Nexon' }).model).toBe('Nexon EV');
    expect(lookupVehicle({ make: 'Hyundai', model: 'Kona' }).model).toBe('Kona Electric');
    expect(lookupVehicle({ model: 'Tata Nexon EV' })).toMatchObject({ make: 'Tata', model: 'Nexon EV', known: true });
    expect(lookupVehicle({ make: 'Tata', model: 'Tata Tiago EV' }).model).toBe('Tiago EV');
    expect(lookupVehicle({ make: 'Kia', model: 'EV6' }).model).toBe('EV6');
    expect(lookupVehicle({ make: 'Piaggio', model: 'Ape E-City FX Max' })).toMatchObject({ model: 'Ape E-City', type: '3-wheeler' });
  });

  it('knows the two- and three-wheelers', () => {
    expect(lookupVehicle({ make: 'Ather', model: '450x' })).toMatchObject({ type: '2-wheeler', batteryKwh: '3.7', connectorTypes: ['LECCS'] });
    expect(lookupVehicle({ make: 'OLA', model: 's1 pro' })).toMatchObject({ type: '2-wheeler', maxDcKw: null });
    expect(lookupVehicle({ make: 'Mahindra', model: 'Treo' })).toMatchObject({ type: '3-wheeler', batteryKwh: '7.37' });
  });

  it('prefers the catalogue over a contradicting type', () => {
    expect(lookupVehicle({ make: 'Tesla', model: 'Model Y', type: '2-wheeler' }).type).toBe('4-wheeler');
  });

  it('returns a typical 4-wheeler for an unknown car, echoing what was given', () => {
    expect(lookupVehicle({ make: 'Acme', model: 'Volt 9', type: '4-wheeler' })).toEqual({
      make: 'Acme', model: 'Volt 9', type: '4-wheeler', batteryKwh: '50.0', maxAcKw: '7.4', maxDcKw: '50',
      connectorTypes: ['TYPE_2', 'CCS2'], known: false,
    });
    expect(lookupVehicle({})).toMatchObject({ make: '', model: '', type: '4-wheeler', known: false });
    expect(lookupVehicle({ make: 'Tesla', model: 'Cybertruck' }).known).toBe(false);
    expect(lookupVehicle({ make: 'Tata', model: 'Model 3' }).known).toBe(false); // wrong make
    expect(lookupVehicle({ make: 'Tesla' }).known).toBe(false);
  });

  it('returns typical two- and three-wheelers by type', () => {
    expect(lookupVehicle({ make: 'Acme', model: 'Zip', type: '2-wheeler' })).toMatchObject({ type: '2-wheeler', batteryKwh: '3.0', known: false });
    expect(lookupVehicle({ model: 'Auto', type: '3-Wheeler' })).toMatchObject({ type: '3-wheeler', batteryKwh: '8.0', known: false });
    expect(lookupVehicle({ type: '2W' }).type).toBe('2-wheeler');
  });

  it('hands out copies that callers cannot use to change the catalogue', () => {
    lookupVehicle({ make: 'Tesla', model: 'Model 3' }).connectorTypes.push('CHADEMO');
    lookupVehicle({ type: '2-wheeler' }).connectorTypes.push('CCS2');
    expect(lookupVehicle({ make: 'Tesla', model: 'Model 3' }).connectorTypes).toEqual(['TYPE_2', 'CCS2']);
    expect(lookupVehicle({ type: '2-wheeler' }).connectorTypes).not.toContain('CCS2');
  });

  it('reads vehicle types in common spellings', () => {
    expect(vehicleType('4-wheeler')).toBe('4-wheeler');
    expect(vehicleType('two wheeler')).toBe('2-wheeler');
    expect(vehicleType('3W')).toBe('3-wheeler');
    expect(vehicleType(undefined)).toBe('4-wheeler');
    expect(vehicleType('spaceship')).toBe('4-wheeler');
  });
});

describe('canUseConnector', () => {
  const model3 = lookupVehicle({ make: 'Tesla', model: 'Model 3' });
  const leaf = lookupVehicle({ make: 'Nissan', model: 'Leaf' });
  const comet = lookupVehicle({ make: 'MG', model: 'Comet EV' });
  const ather = lookupVehicle({ make: 'Ather', model: '450X' });

  it('matches AC plugs, including the AC half of a combo inlet', () => {
    expect(canUseConnector(model3, 'TYPE_2', 'AC')).toBe(true);
    expect(canUseConnector(model3, 'Type2', 'AC')).toBe(true);
    expect(canUseConnector(model3, 'IEC_62196_T2', 'AC')).toBe(true);
    expect(canUseConnector(model3, 'TYPE_1', 'AC')).toBe(false);
    expect(canUseConnector(model3, 'CCS2', 'AC')).toBe(false); // a CCS2 plug is DC
    expect(canUseConnector(comet, 'TYPE_2', 'AC')).toBe(true);
    expect(canUseConnector(ather, 'LECCS', 'AC')).toBe(true);
  });

  it('needs DC capability and a matching DC plug', () => {
    expect(canUseConnector(model3, 'CCS2', 'DC')).toBe(true);
    expect(canUseConnector(model3, 'iec-62196-t2-combo', 'DC')).toBe(true);
    expect(canUseConnector(model3, 'CHADEMO', 'DC')).toBe(false);
    expect(canUseConnector(model3, 'TYPE_2', 'DC')).toBe(false);
    expect(canUseConnector(leaf, 'CHADEMO', 'DC')).toBe(true);
    expect(canUseConnector(leaf, 'CCS2', 'DC')).toBe(false);
    expect(canUseConnector(comet, 'CCS2', 'DC')).toBe(false);
    expect(canUseConnector(ather, 'LECCS', 'DC')).toBe(true);
    expect(canUseConnector(model3, 'NACS', 'DC')).toBe(false);
  });

  it('lets unknown vehicles use what is usual for their type', () => {
    const car = lookupVehicle({ make: 'Acme', model: 'X' });
    expect(canUseConnector(car, 'CHADEMO', 'DC')).toBe(true);
    expect(canUseConnector(car, 'CCS1', 'DC')).toBe(true);
    expect(canUseConnector(car, 'TYPE_1', 'AC')).toBe(true);
    expect(canUseConnector(car, 'LECCS', 'DC')).toBe(false);
    const scooter = lookupVehicle({ type: '2-wheeler' });
    expect(canUseConnector(scooter, 'BHARAT_AC001', 'AC')).toBe(true);
    expect(canUseConnector(scooter, 'LECCS', 'DC')).toBe(true);
    expect(canUseConnector(scooter, 'CCS2', 'DC')).toBe(false);
    expect(canUseConnector(scooter, 'TYPE_2', 'AC')).toBe(false);
  });

  it('normalises connector spellings', () => {
    expect(normalizeConnectorType('Type 1')).toBe('TYPE_1');
    expect(normalizeConnectorType('ccs-2')).toBe('CCS2');
    expect(normalizeConnectorType('CHAdeMO')).toBe('CHADEMO');
    expect(normalizeConnectorType('Bharat AC-001')).toBe('BHARAT_AC001');
    expect(normalizeConnectorType(' nacs ')).toBe('NACS');
  });
});

describe('estimateCharging', () => {
  const nexon = lookupVehicle({ make: 'Tata', model: 'Nexon EV' }); // 45 kWh, 7.2 kW AC, 60 kW DC

  it('is limited by the vehicle on a stronger charger', () => {
    expect(estimateCharging({ energyKwh: '27.000', connectorMaxKw: '22', powerType: 'AC', vehicle: nexon }))
      .toEqual({ powerKw: '7.2', durationMinutes: 225, batteryPercent: 60 });
    expect(estimateCharging({ energyKwh: '27.000', connectorMaxKw: '150', powerType: 'DC', vehicle: nexon }))
      .toEqual({ powerKw: '60', durationMinutes: 27, batteryPercent: 60 });
  });

  it('is limited by the connector on a weaker charger, rounding minutes up', () => {
    expect(estimateCharging({ energyKwh: '10', connectorMaxKw: '3.3', powerType: 'AC', vehicle: nexon }))
      .toEqual({ powerKw: '3.3', durationMinutes: 182, batteryPercent: 22 }); // 181.8… min, 22.2 %
  });

  it('handles zero, tiny and more-than-a-battery energy', () => {
    expect(estimateCharging({ energyKwh: '0', connectorMaxKw: '50', powerType: 'DC', vehicle: nexon }))
      .toEqual({ powerKw: '50', durationMinutes: 0, batteryPercent: 0 });
    expect(estimateCharging({ energyKwh: '0.001', connectorMaxKw: '150', powerType: 'DC', vehicle: nexon }).durationMinutes).toBe(1);
    expect(estimateCharging({ energyKwh: '100', connectorMaxKw: '150', powerType: 'DC', vehicle: nexon }).batteryPercent).toBe(100);
    expect(estimateCharging({ energyKwh: '0.225', connectorMaxKw: '150', powerType: 'DC', vehicle: nexon }).batteryPercent).toBe(1); // 0.5 % rounds up
  });

  it('refuses DC for a vehicle without DC, and nonsense input', () => {
    const comet = lookupVehicle({ make: 'MG', model: 'Comet' });
    expect(() => estimateCharging({ energyKwh: '5', connectorMaxKw: '50', powerType: 'DC', vehicle: comet })).toThrow(AppError);
    expect(() => estimateCharging({ energyKwh: '-5', connectorMaxKw: '50', powerType: 'AC', vehicle: nexon })).toThrow(AppError);
    expect(() => estimateCharging({ energyKwh: '5', connectorMaxKw: '0', powerType: 'AC', vehicle: nexon })).toThrow(AppError);
    expect(() => estimateCharging({ energyKwh: 'x', connectorMaxKw: '7', powerType: 'AC', vehicle: nexon })).toThrow(AppError);
  });

  it('estimates a two-wheeler on its own charger', () => {
    const ather = lookupVehicle({ make: 'Ather', model: '450X' });
    expect(estimateCharging({ energyKwh: defaultEnergyKwh(ather), connectorMaxKw: '3.3', powerType: 'AC', vehicle: ather }))
      .toEqual({ powerKw: '0.7', durationMinutes: 191, batteryPercent: 60 }); // 2.22 kWh at 0.7 kW = 190.3 min
  });
});

describe('defaultEnergyKwh', () => {
  it('is a 20 % → 80 % charge with 3 decimals', () => {
    expect(defaultEnergyKwh(lookupVehicle({ make: 'Tata', model: 'Nexon EV' }))).toBe('27.000');
    expect(defaultEnergyKwh(lookupVehicle({ make: 'BYD', model: 'Atto 3' }))).toBe('36.288');
    expect(defaultEnergyKwh(lookupVehicle({ make: 'Mahindra', model: 'Treo' }))).toBe('4.422');
    expect(defaultEnergyKwh(lookupVehicle({}))).toBe('30.000');
    expect(defaultEnergyKwh(lookupVehicle({ type: '2-wheeler' }))).toBe('1.800');
  });
});
