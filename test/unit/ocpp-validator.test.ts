import { describe, expect, it } from 'vitest';
import { isDecimalMultiple } from '../../src/decimal.ts';
import { createOcpp16Validator } from '../../src/ocpp/validator.ts';

describe('isDecimalMultiple', () => {
  it.each([
    [9.1, 0.1, true],
    [9.15, 0.1, false],
    [0.3, 0.1, true],
    [0.1, 0.1, true],
    [0, 0.1, true],
    [32, 0.1, true],
    [7.5, 0.5, true],
    [7.25, 0.5, false],
    [1.005, 0.001, true],
    [1.0005, 0.001, false],
    [12, 3, true],
    [13, 3, false],
    [10, 2.5, true],
    [0.7, 0.07, true],
  ])('isDecimalMultiple(%d, %d) is %s', (value, divisor, expected) => {
    expect(isDecimalMultiple(value, divisor)).toBe(expected);
  });

  it('handles negative values', () => {
    expect(isDecimalMultiple(-9.1, 0.1)).toBe(true);
    expect(isDecimalMultiple(-0.1, 0.1)).toBe(true);
    expect(isDecimalMultiple(-9.15, 0.1)).toBe(false);
    expect(isDecimalMultiple(-6, 3)).toBe(true);
    expect(isDecimalMultiple(-7, 3)).toBe(false);
  });

  it('handles numbers written with an exponent', () => {
    expect(String(1e-7)).toBe('1e-7'); // the branch under test
    expect(isDecimalMultiple(1e-7, 0.1)).toBe(false);
    expect(isDecimalMultiple(1e-7, 1e-7)).toBe(true);
    expect(isDecimalMultiple(3e-7, 1e-7)).toBe(true);
    expect(isDecimalMultiple(1.5e-7, 5e-8)).toBe(true);
    expect(isDecimalMultiple(1.5e-7, 1e-7)).toBe(false);
    expect(String(1e21)).toBe('1e+21');
    expect(isDecimalMultiple(1e21, 0.1)).toBe(true);
    expect(isDecimalMultiple(1e21, 7)).toBe(false); // 10^21 is not divisible by 7
    expect(isDecimalMultiple(1.5e21, 1e20)).toBe(true);
    expect(isDecimalMultiple(1.25e21, 1e20)).toBe(false);
  });

  it('is false for non-finite values or divisors', () => {
    expect(isDecimalMultiple(Number.NaN, 0.1)).toBe(false);
    expect(isDecimalMultiple(Number.POSITIVE_INFINITY, 0.1)).toBe(false);
    expect(isDecimalMultiple(Number.NEGATIVE_INFINITY, 0.1)).toBe(false);
    expect(isDecimalMultiple(1, Number.NaN)).toBe(false);
    expect(isDecimalMultiple(1, Number.POSITIVE_INFINITY)).toBe(false);
  });

  it('is false for a zero or negative divisor', () => {
    expect(isDecimalMultiple(0, 0)).toBe(false);
    expect(isDecimalMultiple(5, 0)).toBe(false);
    expect(isDecimalMultiple(5, -1)).toBe(false);
  });
});

function profile(limit: number, extra: Record<string, unknown> = {}) {
  return {
    connectorId: 1,
    csChargingProfiles: {
      chargingProfileId: 1,
      stackLevel: 0,
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: 'Absolute',
      chargingSchedule: {
        chargingRateUnit: 'A',
        chargingSchedulePeriod: [{ startPeriod: 0, limit }],
        ...extra,
      },
    },
  };
}

/** The error a validate() call throws (fails the test if it does not throw). */
function validationError(schemaId: string, params: unknown): Error & { rpcErrorCode?: string } {
  const validator = createOcpp16Validator();
  try {
    validator.validate(schemaId, params);
  } catch (err) {
    return err as Error & { rpcErrorCode?: string };
  }
  throw new Error(`${schemaId} accepted ${JSON.stringify(params)}`);
}

describe('createOcpp16Validator', () => {
  const validator = createOcpp16Validator();

  it('is for ocpp1.6', () => {
    expect(validator.subprotocol).toBe('ocpp1.6');
  });

  it('accepts a charging limit of 9.1 (a float division would call it 90.99999999999999 tenths)', () => {
    expect(9.1 / 0.1).not.toBe(91);
    expect(validator.validate('urn:SetChargingProfile.req', profile(9.1))).toBe(true);
  });

  it.each([0, 0.1, 16, 32.5, 7.3, 11000.7])('accepts limit %d', (limit) => {
    expect(validator.validate('urn:SetChargingProfile.req', profile(limit))).toBe(true);
  });

  it('rejects a charging limit of 9.15 with OccurenceConstraintViolation', () => {
    const err = validationError('urn:SetChargingProfile.req', profile(9.15));
    expect(err.rpcErrorCode).toBe('OccurenceConstraintViolation');
  });

  it('rejects 9.10000001, which a float epsilon of 1e-6 would let through', () => {
    expect(isDecimalMultiple(9.10000001, 0.1)).toBe(false);
    expect(validationError('urn:SetChargingProfile.req', profile(9.10000001)).rpcErrorCode).toBe(
      'OccurenceConstraintViolation',
    );
  });

  it('applies the decimal rule to minChargingRate too', () => {
    expect(validator.validate('urn:SetChargingProfile.req', profile(10, { minChargingRate: 6.1 }))).toBe(true);
    expect(validationError('urn:SetChargingProfile.req', profile(10, { minChargingRate: 6.05 })).rpcErrorCode).toBe(
      'OccurenceConstraintViolation',
    );
  });

  it('accepts a valid BootNotification', () => {
    expect(
      validator.validate('urn:BootNotification.req', { chargePointVendor: 'Acme', chargePointModel: 'X1' }),
    ).toBe(true);
  });

  it('rejects a BootNotification missing required fields with OccurenceConstraintViolation', () => {
    const err = validationError('urn:BootNotification.req', {});
    expect(err.rpcErrorCode).toBe('OccurenceConstraintViolation');
    expect(err.message).toContain('chargePointVendor');
  });

  it('rejects a wrong type with TypeConstraintViolation', () => {
    const err = validationError('urn:BootNotification.req', { chargePointVendor: 42, chargePointModel: 'X1' });
    expect(err.rpcErrorCode).toBe('TypeConstraintViolation');
  });

  it('rejects a non-integer connectorId with TypeConstraintViolation', () => {
    const err = validationError('urn:SetChargingProfile.req', { ...profile(10), connectorId: 1.5 });
    expect(err.rpcErrorCode).toBe('TypeConstraintViolation');
  });

  it('rejects an over-long string with FormatViolation', () => {
    const err = validationError('urn:BootNotification.req', {
      chargePointVendor: 'V'.repeat(21),
      chargePointModel: 'X1',
    });
    expect(err.rpcErrorCode).toBe('FormatViolation');
  });

  it('accepts a string of exactly the maximum length', () => {
    expect(
      validator.validate('urn:BootNotification.req', { chargePointVendor: 'V'.repeat(20), chargePointModel: 'X1' }),
    ).toBe(true);
  });

  it('rejects an unknown property with PropertyConstraintViolation', () => {
    const err = validationError('urn:BootNotification.req', {
      chargePointVendor: 'Acme',
      chargePointModel: 'X1',
      colour: 'red',
    });
    expect(err.rpcErrorCode).toBe('PropertyConstraintViolation');
  });

  it('rejects an unknown schema with ProtocolError', () => {
    const err = validationError('urn:NoSuchAction.req', {});
    expect(err.rpcErrorCode).toBe('ProtocolError');
  });

  it('returns independent validators', () => {
    const a = createOcpp16Validator();
    const b = createOcpp16Validator();
    expect(a).not.toBe(b);
    expect(b.validate('urn:SetChargingProfile.req', profile(9.1))).toBe(true);
  });
});
