// Exact conversions of the charger's integers into the decimal strings pricing takes: no float ever
// touches an amount (a Wh count or a millisecond span is an exact integer in a JS number).

/** An integer count of thousandths as a decimal string: 1234 → "1.234", -5 → "-0.005". */
export function thousandths(count: number): string {
  const n = Math.trunc(count);
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.abs(n)).padStart(4, '0');
  return `${sign}${digits.slice(0, -3)}.${digits.slice(-3)}`;
}

/** Watt-hours as kWh, 3 decimals. */
export const whToKwh = (wh: number): string => thousandths(wh);

/** A span in minutes with 2 decimals (rounded half up), never negative. */
export function minutesBetween(from: Date, to: Date): string {
  const ms = Math.max(0, to.getTime() - from.getTime());
  const hundredths = Math.round(ms / 600);
  const digits = String(hundredths).padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
