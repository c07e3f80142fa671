import { Decimal, type DecimalInput } from './decimal-money.ts';

// ISO 4217 minor-unit exponents that differ from the usual 2 (cents). A currency missing here has 2.
const MINOR_DIGITS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** Fraction digits of an amount in `currency` (JPY 0, INR 2, KWD 3). */
export function minorDigits(currency: string): number {
  return MINOR_DIGITS[currency.toUpperCase()] ?? 2;
}

/** `value` rounded HALF_UP to the currency's minor unit. */
export function roundToMinor(value: DecimalInput, currency: string): Decimal {
  return Decimal.parse(value).round(minorDigits(currency));
}

/** `value` as an amount string with exactly the currency's minor digits ("128.64", "1250", "1.500"). */
export function formatAmount(value: DecimalInput, currency: string): string {
  return Decimal.parse(value).toFixed(minorDigits(currency));
}
