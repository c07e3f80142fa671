import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { formatAmount, minorDigits, roundToMinor } from '../../src/money/currency.ts';
import { Decimal, dec, type RoundingMode } from '../../src/money/decimal-money.ts';

function expectValidationError(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('VALIDATION_FAILED');
    return;
  }
  throw new Error('expected a VALIDATION_FAILED error');
}

describe('Decimal.parse', () => {
  it.each([
    ['18.5', '18.5'], ['-0.125', '-0.125'], ['12', '12'], ['+3.10', '3.1'], ['0007.500', '7.5'], ['-0', '0'], ['0.000', '0'],
  ])('reads the string %s', (input, expected) => {
    expect(dec(input).toString()).toBe(expected);
  });

  it('keeps the written scale until normalised', () => {
    const d = dec('18.5000');
    expect(d.scale).toBe(4);
    expect(d.units).toBe(185000n);
    expect(d.toFixed(4)).toBe('18.5000');
  });

  it.each([
    [0.1, '0.1'], [18.5, '18.5'], [-0.125, '-0.125'], [12, '12'], [-0, '0'], [1e21, '1000000000000000000000'],
    [1e-7, '0.0000001'], [1.5e-10, '0.00000000015'], [123456.789, '123456.789'],
  ])('reads the number %s as written', (input, expected) => {
    expect(dec(input).toString()).toBe(expected);
  });

  it('reads bigints as integers', () => {
    expect(dec(12345678901234567890n).toString()).toBe('12345678901234567890');
  });

  it.each(['', ' 1', '1 ', 'abc', '1,5', '1e3', '.5', '5.', '--1', '1.2.3', 'NaN', 'Infinity', '0x10', '١'])(
    'rejects the string %j',
    (input) => expectValidationError(() => dec(input)),
  );

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('rejects the number %s', (input) => {
    expectValidationError(() => dec(input));
  });

  it('rejects absurdly long input', () => {
    expectValidationError(() => dec('1'.repeat(500)));
  });

  it('isValid answers without throwing', () => {
    expect(Decimal.isValid('1.5')).toBe(true);
    expect(Decimal.isValid('1.5x')).toBe(false);
    expect(Decimal.isValid(null)).toBe(false);
    expect(Decimal.isValid({})).toBe(false);
  });
});

describe('Decimal arithmetic', () => {
  it('adds 0.1 and 0.2 to exactly 0.3', () => {
    expect(dec(0.1).add(0.2).eq('0.3')).toBe(true);
    expect(dec('0.1').add('0.2').toString()).toBe('0.3');
  });

  it('adds, subtracts and multiplies exactly across scales', () => {
    expect(dec('18.0000').mul('30.000').toString()).toBe('540');
    expect(dec('1.005').sub('0.005').toString()).toBe('1');
    expect(dec('-2.5').mul('-0.4').toString()).toBe('1');
    expect(dec('3').sub('5.25').toString()).toBe('-2.25');
  });

  it('handles values far beyond Number.MAX_SAFE_INTEGER', () => {
    const big = dec('123456789012345678901234567890.123456789');
    expect(big.add('0.876543211').toString()).toBe('123456789012345678901234567891');
    expect(big.mul('1000000').toFixed(2)).toBe('123456789012345678901234567890123456.79');
    expect(dec('9007199254740993').add(1).toString()).toBe('9007199254740994');
    expect(dec('99999999999999999999.995').toFixed(2)).toBe('100000000000000000000.00');
  });

  it('takes a percentage exactly', () => {
    expect(dec('200').percent('12.5').toString()).toBe('25');
    expect(dec('333.33').percent('30').toString()).toBe('99.999');
    expect(dec('-80').percent('15').toString()).toBe('-12');
  });

  it('divides to a chosen scale and rounding', () => {
    expect(dec(10).div(3, 4).toString()).toBe('3.3333');
    expect(dec(2).div(3, 4).toString()).toBe('0.6667');
    expect(dec(-2).div(3, 4).toString()).toBe('-0.6667');
    expect(dec(2).div(-3, 2, 'DOWN').toString()).toBe('-0.66');
    expect(dec(1).div(8, 2).toString()).toBe('0.13');
    expect(dec(1).div(8, 2, 'HALF_EVEN').toString()).toBe('0.12');
    expect(dec('0.5').div('0.25', 0).toString()).toBe('2');
    expect(dec('100').div('18', 3, 'DOWN').toString()).toBe('5.555');
    expect(dec('7').div('2', 0, 'CEILING').toString()).toBe('4');
    expect(dec('-7').div('2', 0, 'FLOOR').toString()).toBe('-4');
  });

  it('refuses to divide by zero', () => {
    expect(() => dec(1).div('0.00', 2)).toThrow(RangeError);
  });

  it('compares across scales', () => {
    expect(dec('1.50').compare('1.5')).toBe(0);
    expect(dec('-0.01').compare('0')).toBe(-1);
    expect(dec('10').gt('9.999')).toBe(true);
    expect(dec('2').lte('2.000')).toBe(true);
    expect(Decimal.max('1', '3.5', '-2').toString()).toBe('3.5');
    expect(Decimal.min('1', '3.5', '-2').toString()).toBe('-2');
    expect(Decimal.sum(['0.1', '0.2', '-0.3']).isZero()).toBe(true);
    expect(dec('-4').sign).toBe(-1);
    expect(dec('-4').abs().toString()).toBe('4');
  });
});

describe('rounding', () => {
  it('rounds half away from zero with HALF_UP', () => {
    expect(dec('0.005').toFixed(2)).toBe('0.01');
    expect(dec('-0.005').toFixed(2)).toBe('-0.01');
    expect(dec('0.0049999').toFixed(2)).toBe('0.00');
    expect(dec('1.005').toFixed(2)).toBe('1.01');
    expect(dec('2.5').toFixed(0)).toBe('3');
    expect(dec('-2.5').toFixed(0)).toBe('-3');
    expect(dec(1.005).toFixed(2)).toBe('1.01'); // the float 1.005 is 1.00499…, its written form is not
  });

  it('never prints negative zero', () => {
    expect(dec('-0.001').toFixed(2)).toBe('0.00');
    expect(dec('-0.4').toFixed(0)).toBe('0');
  });

  it('pads to exactly N digits', () => {
    expect(dec('12').toFixed(2)).toBe('12.00');
    expect(dec('-15').toFixed(2)).toBe('-15.00');
    expect(dec('0.1').toFixed(4)).toBe('0.1000');
    expect(dec('0.00001').toFixed(5)).toBe('0.00001');
    expect(dec('1234.5').toFixed(0)).toBe('1235');
  });

  it.each<[RoundingMode, string, string, string, string]>([
    // mode, 1.235, -1.235, 1.225, 1.231
    ['HALF_UP', '1.24', '-1.24', '1.23', '1.23'],
    ['HALF_EVEN', '1.24', '-1.24', '1.22', '1.23'],
    ['UP', '1.24', '-1.24', '1.23', '1.24'],
    ['DOWN', '1.23', '-1.23', '1.22', '1.23'],
    ['CEILING', '1.24', '-1.23', '1.23', '1.24'],
    ['FLOOR', '1.23', '-1.24', '1.22', '1.23'],
  ])('%s', (mode, a, b, c, d) => {
    expect(dec('1.235').toFixed(2, mode)).toBe(a);
    expect(dec('-1.235').toFixed(2, mode)).toBe(b);
    expect(dec('1.225').toFixed(2, mode)).toBe(c);
    expect(dec('1.231').toFixed(2, mode)).toBe(d);
  });

  it('round keeps the value when it already has fewer digits', () => {
    const r = dec('7.5').round(3);
    expect(r.scale).toBe(3);
    expect(r.toFixed(3)).toBe('7.500');
  });
});

describe('currencies', () => {
  it.each([
    ['JPY', 0], ['jpy', 0], ['KRW', 0], ['VND', 0], ['CLP', 0], ['ISK', 0], ['UGX', 0],
    ['BHD', 3], ['KWD', 3], ['OMR', 3], ['JOD', 3], ['TND', 3], ['IQD', 3], ['LYD', 3],
    ['INR', 2], ['PHP', 2], ['EUR', 2], ['USD', 2], ['XYZ', 2],
  ])('%s has %i minor digits', (currency, digits) => {
    expect(minorDigits(currency)).toBe(digits);
  });

  it('formats amounts to the currency', () => {
    expect(formatAmount('1234.5', 'JPY')).toBe('1235');
    expect(formatAmount('1.2345', 'KWD')).toBe('1.235');
    expect(formatAmount('-15', 'INR')).toBe('-15.00');
    expect(formatAmount('0.005', 'PHP')).toBe('0.01');
    expect(roundToMinor('-0.0005', 'KWD').toFixed(3)).toBe('-0.001');
  });
});
