import { AppError } from '../errors.ts';

// Exact base-10 arithmetic on BigInt: value = units / 10^scale. Money must never touch a binary float
// (0.1 + 0.2 !== 0.3), so amounts, prices and percentages arrive as strings and stay decimal until they
// are formatted for a human or a JSON body.

export type RoundingMode = 'HALF_UP' | 'HALF_EVEN' | 'UP' | 'DOWN' | 'CEILING' | 'FLOOR';
export type DecimalInput = Decimal | string | number | bigint;

const DECIMAL_PATTERN = /^([+-])?(\d+)(?:\.(\d+))?$/;
// Shortest round-trip form of a JS number, which may carry an exponent ("1e-7", "1.5e+21").
const NUMBER_PATTERN = /^(-)?(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;
// Guards BigInt work against absurd inputs (a 1 MB string of digits) arriving from a request body.
const MAX_INPUT_LENGTH = 200;

export class Decimal {
  static readonly ZERO = new Decimal(0n, 0);

  private constructor(
    readonly units: bigint,
    readonly scale: number,
  ) {}

  /** `units / 10^scale`, e.g. fromUnits(1234n, 2) = 12.34. */
  static fromUnits(units: bigint, scale: number): Decimal {
    if (!Number.isInteger(scale) || scale < 0) throw new RangeError(`invalid scale ${scale}`);
    return new Decimal(units, scale);
  }

  /**
   * A decimal string ("18.5", "-0.125", "12") or a finite JS number read as written (String(n)).
   * Throws AppError VALIDATION_FAILED for anything else ("1,5", "abc", NaN, Infinity, "1e3").
   */
  static parse(value: DecimalInput): Decimal {
    if (value instanceof Decimal) return value;
    if (typeof value === 'bigint') return new Decimal(value, 0);
    if (typeof value === 'number') return parseNumber(value);
    if (typeof value !== 'string' || value.length > MAX_INPUT_LENGTH) throw notDecimal(value);
    const m = DECIMAL_PATTERN.exec(value);
    if (!m) throw notDecimal(value);
    const [, sign, int = '0', frac = ''] = m;
    const units = BigInt(int + frac);
    return new Decimal(sign === '-' ? -units : units, frac.length);
  }

  /** Whether `value` parses (see parse) — for validators that want a boolean. */
  static isValid(value: unknown): boolean {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') return false;
    try {
      Decimal.parse(value);
      return true;
    } catch {
      return false;
    }
  }

  static max(first: DecimalInput, ...rest: DecimalInput[]): Decimal {
    return rest.reduce<Decimal>((best, x) => (best.lt(x) ? Decimal.parse(x) : best), Decimal.parse(first));
  }

  static min(first: DecimalInput, ...rest: DecimalInput[]): Decimal {
    return rest.reduce<Decimal>((best, x) => (best.gt(x) ? Decimal.parse(x) : best), Decimal.parse(first));
  }

  static sum(values: Iterable<DecimalInput>): Decimal {
    let total = Decimal.ZERO;
    for (const v of values) total = total.add(v);
    return total;
  }

  add(other: DecimalInput): Decimal {
    const o = Decimal.parse(other);
    const scale = Math.max(this.scale, o.scale);
    return new Decimal(this.unitsAt(scale) + o.unitsAt(scale), scale);
  }

  sub(other: DecimalInput): Decimal {
    return this.add(Decimal.parse(other).neg());
  }

  mul(other: DecimalInput): Decimal {
    const o = Decimal.parse(other);
    return new Decimal(this.units * o.units, this.scale + o.scale);
  }

  /** `percent` % of this value, exactly: 200 × 12.5 % = 25.000. */
  percent(percent: DecimalInput): Decimal {
    const p = Decimal.parse(percent);
    return new Decimal(this.units * p.units, this.scale + p.scale + 2);
  }

  /** this / other with `scale` fraction digits, rounded by `mode`. Throws RangeError on division by zero. */
  div(other: DecimalInput, scale: number, mode: RoundingMode = 'HALF_UP'): Decimal {
    const o = Decimal.parse(other);
    if (o.units === 0n) throw new RangeError('division by zero');
    if (!Number.isInteger(scale) || scale < 0) throw new RangeError(`invalid scale ${scale}`);
    // (a / 10^sa) / (b / 10^sb) at scale k = a · 10^(sb + k) / (b · 10^sa)
    const numerator = this.units * 10n ** BigInt(o.scale + scale);
    const denominator = o.units * 10n ** BigInt(this.scale);
    return new Decimal(divideRounded(numerator, denominator, mode), scale);
  }

  neg(): Decimal {
    return new Decimal(-this.units, this.scale);
  }

  abs(): Decimal {
    return this.units < 0n ? this.neg() : this;
  }

  /** Rounded to `digits` fraction digits; HALF_UP rounds .5 away from zero (−0.005 → −0.01). */
  round(digits: number, mode: RoundingMode = 'HALF_UP'): Decimal {
    if (!Number.isInteger(digits) || digits < 0) throw new RangeError(`invalid digits ${digits}`);
    if (digits >= this.scale) return new Decimal(this.unitsAt(digits), digits);
    const divisor = 10n ** BigInt(this.scale - digits);
    return new Decimal(divideRounded(this.units, divisor, mode), digits);
  }

  /** The same value without trailing fraction zeros (12.500 → 12.5). */
  normalized(): Decimal {
    let { units, scale } = this;
    while (scale > 0 && units % 10n === 0n) {
      units /= 10n;
      scale -= 1;
    }
    return new Decimal(units, scale);
  }

  compare(other: DecimalInput): -1 | 0 | 1 {
    const o = Decimal.parse(other);
    const scale = Math.max(this.scale, o.scale);
    const a = this.unitsAt(scale);
    const b = o.unitsAt(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  eq(other: DecimalInput): boolean {
    return this.compare(other) === 0;
  }
  lt(other: DecimalInput): boolean {
    return this.compare(other) < 0;
  }
  lte(other: DecimalInput): boolean {
    return this.compare(other) <= 0;
  }
  gt(other: DecimalInput): boolean {
    return this.compare(other) > 0;
  }
  gte(other: DecimalInput): boolean {
    return this.compare(other) >= 0;
  }

  get sign(): -1 | 0 | 1 {
    return this.units < 0n ? -1 : this.units > 0n ? 1 : 0;
  }
  isZero(): boolean {
    return this.units === 0n;
  }
  isNegative(): boolean {
    return this.units < 0n;
  }

  /** Exactly `digits` fraction digits, rounded by `mode` ("128.64", "-15.00", "1250"). */
  toFixed(digits: number, mode: RoundingMode = 'HALF_UP'): string {
    return this.round(digits, mode).plain();
  }

  /** The shortest exact form ("12.5", "-0.125", "0"). */
  toString(): string {
    return this.normalized().plain();
  }

  toJSON(): string {
    return this.toString();
  }

  private plain(): string {
    const digits = (this.units < 0n ? -this.units : this.units).toString().padStart(this.scale + 1, '0');
    const int = digits.slice(0, digits.length - this.scale);
    const frac = digits.slice(digits.length - this.scale);
    return (this.units < 0n ? '-' : '') + int + (this.scale > 0 ? `.${frac}` : '');
  }

  private unitsAt(scale: number): bigint {
    return this.units * 10n ** BigInt(scale - this.scale);
  }
}

/** Shorthand for Decimal.parse. */
export function dec(value: DecimalInput): Decimal {
  return Decimal.parse(value);
}

function parseNumber(n: number): Decimal {
  if (!Number.isFinite(n)) throw notDecimal(n);
  const m = NUMBER_PATTERN.exec(String(n));
  if (!m) throw notDecimal(n);
  const [, sign, int = '0', frac = '', exp = '0'] = m;
  let units = BigInt(int + frac);
  let scale = frac.length - Number(exp);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return Decimal.fromUnits(sign === '-' ? -units : units, scale);
}

/** n / d rounded to an integer by `mode`; BigInt division alone truncates toward zero. */
function divideRounded(n: bigint, d: bigint, mode: RoundingMode): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const sign = n < 0n !== d < 0n ? -1n : 1n;
  const twiceRemainder = (r < 0n ? -r : r) * 2n;
  const divisor = d < 0n ? -d : d;
  let awayFromZero: boolean;
  switch (mode) {
    case 'DOWN':
      awayFromZero = false;
      break;
    case 'UP':
      awayFromZero = true;
      break;
    case 'CEILING':
      awayFromZero = sign > 0n;
      break;
    case 'FLOOR':
      awayFromZero = sign < 0n;
      break;
    case 'HALF_UP':
      awayFromZero = twiceRemainder >= divisor;
      break;
    case 'HALF_EVEN':
      awayFromZero = twiceRemainder > divisor || (twiceRemainder === divisor && (q & 1n) === 1n);
      break;
  }
  return awayFromZero ? q + sign : q;
}

function notDecimal(value: unknown): AppError {
  const shown = typeof value === 'string' && value.length > 40 ? `${value.slice(0, 40)}…` : String(value);
  return new AppError('VALIDATION_FAILED', `Not a decimal number: "${shown}"`, { value: shown });
}
