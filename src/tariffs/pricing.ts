import { AppError } from '../errors.ts';
import { minorDigits } from '../money/currency.ts';
import { Decimal } from '../money/decimal-money.ts';
import type { Surcharge, Tariff } from './tariff.ts';

// What a session costs under a tariff, line by line. Every line is rounded to the currency's minor unit
// on its own and the total is the sum of the rounded lines, so a printed bill always adds up; the
// percentage lines (surcharge, discount, tax) are taken of the rounded lines a driver can see.

export type PriceComponentKind =
  | 'energy' | 'time' | 'session_fee' | 'reservation_fee' | 'idle_fee' | 'surcharge' | 'discount' | 'tax'
  | 'extra_charge' | 'refund' | 'cancellation_fee' | 'paid';

/** amount: fixed to the currency's minor digits ("128.64", "-15.00"); negative for discount and refund. */
export interface PriceComponent { kind: PriceComponentKind; amount: string; currency: string; description: string }
export interface Usage { energyKwh: string; minutes: string; idleMinutes: string; startAt: Date; reservation: boolean }
export interface Bill { currency: string; components: PriceComponent[]; total: string }
export interface Settlement { bill: Bill; components: PriceComponent[]; prepaid: string; refund: string; extra: string }
export interface CancellationTerms { percent: string; fee: string; refund: string; components: PriceComponent[] }

/** energyForAmount never answers more than this: with a free or near-free tariff money is no limit. */
export const MAX_ENERGY_KWH = '10000.000';

interface Rates {
  currency: string;
  digits: number;
  energyPrice: Decimal;
  timePrice: Decimal;
  sessionFee: Decimal;
  reservationFee: Decimal;
  idleFee: Decimal;
  idleGraceMinutes: Decimal;
  taxPercent: Decimal;
  discountPercent: Decimal;
  discountDescription: string | null;
}

interface Quantities { energyKwh: Decimal; minutes: Decimal; idleMinutes: Decimal; reservation: boolean }
interface Line { kind: PriceComponentKind; amount: Decimal; description: string }

export function priceSession(tariff: Tariff, usage: Usage): Bill {
  const rates = ratesOf(tariff);
  const quantities: Quantities = {
    energyKwh: nonNegative(usage.energyKwh, 'energyKwh'),
    minutes: nonNegative(usage.minutes, 'minutes'),
    idleMinutes: nonNegative(usage.idleMinutes, 'idleMinutes'),
    reservation: usage.reservation,
  };
  const lines = priceLines(rates, quantities, surchargeAt(tariff, usage.startAt));
  return toBill(rates, lines);
}

/** Session minutes for `energyKwh` delivered at a steady `powerKw` (2 decimals), as energyForAmount assumes. */
export function minutesAtPower(energyKwh: string, powerKw: string): string {
  const power = parse(powerKw, 'powerKw');
  if (power.sign <= 0) throw new AppError('VALIDATION_FAILED', 'powerKw must be positive', { field: 'powerKw' });
  return nonNegative(energyKwh, 'energyKwh').mul(60).div(power, 2).toFixed(2);
}

/**
 * The most energy (kWh, 3 decimals) whose priceSession total — minutes = energy / powerKw × 60 (see
 * minutesAtPower), no idle time — stays within `amount`; null when not even 0.001 kWh fits or powerKw ≤ 0.
 */
export function energyForAmount(
  tariff: Tariff,
  amount: string,
  opts: { powerKw: string; startAt: Date; reservation: boolean },
): string | null {
  const rates = ratesOf(tariff);
  const budget = nonNegative(amount, 'amount');
  const power = parse(opts.powerKw, 'powerKw');
  if (power.sign <= 0) return null;
  const surcharge = surchargeAt(tariff, opts.startAt);
  const totalAt = (wh: bigint): Decimal => {
    const energyKwh = Decimal.fromUnits(wh, 3);
    const minutes = energyKwh.mul(60).div(power, 2);
    const lines = priceLines(rates, { energyKwh, minutes, idleMinutes: Decimal.ZERO, reservation: opts.reservation }, surcharge);
    return Decimal.sum(lines.map((l) => l.amount));
  };
  const fits = (wh: bigint): boolean => totalAt(wh).lte(budget);

  const maxWh = Decimal.parse(MAX_ENERGY_KWH).round(3).units;
  if (!fits(1n)) return null;
  if (fits(maxWh)) return MAX_ENERGY_KWH;

  // The unrounded price is linear in energy: total = fixed + slope × kWh. Solving it lands within a few
  // Wh of the answer; the rounding of each line is then settled exactly by evaluating real bills.
  const factor = (p: Decimal, sign: 1 | -1): Decimal => Decimal.parse(100).add(sign === 1 ? p : p.neg()).div(100, 20);
  const surchargeFactor = surcharge ? factor(nonNegative(surcharge.percent, 'surcharge.percent'), 1) : Decimal.parse(1);
  const taxFactor = factor(rates.taxPercent, 1);
  const perKwh = rates.energyPrice.add(rates.timePrice.mul(60).div(power, 20));
  const slope = perKwh.mul(surchargeFactor).mul(factor(rates.discountPercent, -1)).mul(taxFactor);
  const fees = rates.sessionFee.add(opts.reservation ? rates.reservationFee : Decimal.ZERO).mul(taxFactor);
  let guess = slope.isZero() ? 1n : budget.sub(fees).div(slope, 3, 'DOWN').units;
  guess = guess < 1n ? 1n : guess >= maxWh ? maxWh - 1n : guess;

  // Invariant: fits(lo) and !fits(hi). Gallop outwards from the guess, then bisect.
  let lo = 1n;
  let hi = maxWh;
  if (fits(guess)) {
    lo = guess;
    for (let step = 1n; lo + step < hi; step *= 2n) {
      if (!fits(lo + step)) { hi = lo + step; break; }
      lo += step;
    }
  } else {
    hi = guess;
    for (let step = 1n; hi - step > lo; step *= 2n) {
      if (fits(hi - step)) { lo = hi - step; break; }
      hi -= step;
    }
  }
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return Decimal.fromUnits(lo, 3).toFixed(3);
}

/** The final bill against what was paid up front: the difference becomes a refund or an extra charge. */
export function settle(tariff: Tariff, usage: Usage, prepaid: string): Settlement {
  const bill = priceSession(tariff, usage);
  const digits = minorDigits(bill.currency);
  const paid = nonNegative(prepaid, 'prepaid').round(digits);
  const difference = Decimal.parse(bill.total).sub(paid);
  const zero = Decimal.ZERO.toFixed(digits);
  const components = [...bill.components];
  if (difference.isNegative()) {
    components.push(component('refund', difference, bill.currency, digits, 'Refund of unused prepaid amount'));
  } else if (!difference.isZero()) {
    components.push(component('extra_charge', difference, bill.currency, digits, 'Charged beyond the prepaid amount'));
  }
  return {
    bill,
    components,
    prepaid: paid.toFixed(digits),
    refund: difference.isNegative() ? difference.neg().toFixed(digits) : zero,
    extra: difference.sign > 0 ? difference.toFixed(digits) : zero,
  };
}

/** What a paid order cancelled before charging keeps (the tariff's cancellation share) and gives back. */
export function cancellationTerms(tariff: Tariff, paid: string): CancellationTerms {
  const { currency } = tariff;
  const digits = minorDigits(currency);
  const amount = nonNegative(paid, 'paid').round(digits);
  const percent = percentage(tariff.cancellationFeePercent, 'cancellationFeePercent');
  const fee = amount.percent(percent).round(digits);
  const refund = amount.sub(fee);
  const shown = percent.toString();
  const feeLine = component('cancellation_fee', fee, currency, digits, `Cancellation charges (${shown}%)`);
  const components = amount.isZero()
    ? [feeLine]
    : [component('paid', amount, currency, digits, 'Amount paid'), feeLine];
  if (!refund.isZero()) components.push(component('refund', refund.neg(), currency, digits, 'Cancellation refund'));
  return { percent: shown, fee: fee.toFixed(digits), refund: refund.toFixed(digits), components };
}

/** The first of the tariff's surcharge windows that `at` falls in, in the tariff's local time. */
export function surchargeAt(tariff: Tariff, at: Date): Surcharge | undefined {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw new AppError('VALIDATION_FAILED', 'startAt must be a valid date', { field: 'startAt' });
  }
  if (tariff.surcharges.length === 0) return undefined;
  const local = localClock(at, tariff.timeZone);
  return tariff.surcharges.find((s) => inWindow(s, local));
}

function priceLines(rates: Rates, q: Quantities, surcharge: Surcharge | undefined): Line[] {
  const round = (d: Decimal): Decimal => d.round(rates.digits);
  const cur = rates.currency;
  const lines: Line[] = [];
  const add = (kind: PriceComponentKind, amount: Decimal, description: string): Decimal => {
    if (!amount.isZero() || kind === 'energy') lines.push({ kind, amount, description });
    return amount;
  };

  const energy = add('energy', round(q.energyKwh.mul(rates.energyPrice)),
    `Energy ${show(q.energyKwh, 3)} kWh × ${show(rates.energyPrice, 4)} ${cur}/kWh`);
  const time = add('time', round(q.minutes.mul(rates.timePrice)),
    `Time ${show(q.minutes, 0)} min × ${show(rates.timePrice, 4)} ${cur}/min`);
  let discountable = energy.add(time);
  if (surcharge) {
    const pct = nonNegative(surcharge.percent, 'surcharge.percent');
    const label = surcharge.description ?? 'Time-of-day surcharge';
    discountable = discountable.add(add('surcharge', round(discountable.percent(pct)),
      `${label} (${pct.toString()}% on energy and time, ${surcharge.from}–${surcharge.to})`));
  }
  add('discount', round(discountable.percent(rates.discountPercent)).neg(),
    rates.discountDescription ?? `Offer discount (${rates.discountPercent.toString()}%)`);
  add('session_fee', round(rates.sessionFee), 'Session fee');
  if (q.reservation) add('reservation_fee', round(rates.reservationFee), 'Reservation fee');
  const idle = Decimal.max(0, q.idleMinutes.sub(rates.idleGraceMinutes));
  add('idle_fee', round(idle.mul(rates.idleFee)),
    `Idle fee ${show(idle, 0)} min × ${show(rates.idleFee, 4)} ${cur}/min (after ${show(rates.idleGraceMinutes, 0)} min grace)`);
  const subtotal = Decimal.sum(lines.map((l) => l.amount));
  add('tax', round(subtotal.percent(rates.taxPercent)), `Tax (${rates.taxPercent.toString()}%)`);
  return lines;
}

function toBill(rates: Rates, lines: Line[]): Bill {
  return {
    currency: rates.currency,
    components: lines.map((l) => component(l.kind, l.amount, rates.currency, rates.digits, l.description)),
    total: Decimal.sum(lines.map((l) => l.amount)).toFixed(rates.digits),
  };
}

function component(kind: PriceComponentKind, amount: Decimal, currency: string, digits: number, description: string): PriceComponent {
  return { kind, amount: amount.toFixed(digits), currency, description };
}

function ratesOf(tariff: Tariff): Rates {
  return {
    currency: tariff.currency,
    digits: minorDigits(tariff.currency),
    energyPrice: nonNegative(tariff.energyPrice, 'energyPrice'),
    timePrice: nonNegative(tariff.timePrice, 'timePrice'),
    sessionFee: nonNegative(tariff.sessionFee, 'sessionFee'),
    reservationFee: nonNegative(tariff.reservationFee, 'reservationFee'),
    idleFee: nonNegative(tariff.idleFee, 'idleFee'),
    idleGraceMinutes: nonNegative(String(tariff.idleGraceMinutes), 'idleGraceMinutes'),
    taxPercent: nonNegative(tariff.taxPercent, 'taxPercent'),
    discountPercent: percentage(tariff.discountPercent, 'discountPercent'),
    discountDescription: tariff.discountDescription,
  };
}

interface LocalClock { isoDay: number; minuteOfDay: number }

const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function localClock(at: Date, timeZone: string): LocalClock {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(at);
  } catch {
    throw new AppError('VALIDATION_FAILED', `Unknown time zone "${timeZone}"`, { field: 'timeZone' });
  }
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return {
    isoDay: WEEKDAYS[part('weekday')] ?? 1,
    minuteOfDay: (Number(part('hour')) % 24) * 60 + Number(part('minute')),
  };
}

function inWindow(s: Surcharge, local: LocalClock): boolean {
  const from = clockMinutes(s.from);
  const to = clockMinutes(s.to);
  const onDay = (day: number): boolean => !s.days || s.days.length === 0 || s.days.includes(day);
  const t = local.minuteOfDay;
  if (from === to) return onDay(local.isoDay);
  if (from < to) return t >= from && t < to && onDay(local.isoDay);
  // A window that wraps midnight belongs to the day it opens on: Friday 22:00–06:00 covers Saturday 02:00.
  if (t >= from) return onDay(local.isoDay);
  return t < to && onDay(local.isoDay === 1 ? 7 : local.isoDay - 1);
}

function clockMinutes(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm) ?? (hhmm === '24:00' ? ['', '24', '00'] : null);
  if (!m) throw new AppError('VALIDATION_FAILED', `Not a time of day (HH:MM): "${hhmm}"`, { field: 'surcharges' });
  return Number(m[1]) * 60 + Number(m[2]);
}

/** `d` with at least `minDigits` fraction digits, more when it has them (30.000, 0.1234, 45). */
function show(d: Decimal, minDigits: number): string {
  const n = d.normalized();
  return n.toFixed(Math.max(minDigits, n.scale));
}

function parse(value: string, field: string): Decimal {
  try {
    return Decimal.parse(value);
  } catch {
    throw new AppError('VALIDATION_FAILED', `${field} is not a decimal number`, { field, value });
  }
}

function nonNegative(value: string, field: string): Decimal {
  const d = parse(value, field);
  if (d.isNegative()) throw new AppError('VALIDATION_FAILED', `${field} must not be negative`, { field, value });
  return d;
}

function percentage(value: string, field: string): Decimal {
  const d = nonNegative(value, field);
  if (d.gt(100)) throw new AppError('VALIDATION_FAILED', `${field} must be at most 100`, { field, value });
  return d;
}
