// Decimal arithmetic where binary floats would lie (9.1 / 0.1 = 90.99999999999999).

/** Whether `value` is a multiple of `divisor`, exactly in base 10: both numbers as written (shortest round-trip form) scaled to integers. */
export function isDecimalMultiple(value: number, divisor: number): boolean {
  if (!Number.isFinite(value) || !Number.isFinite(divisor) || divisor <= 0) return false;
  const v = toScaled(value);
  const d = toScaled(divisor);
  const scale = Math.max(v.scale, d.scale);
  const vi = v.digits * 10n ** BigInt(scale - v.scale);
  const di = d.digits * 10n ** BigInt(scale - d.scale);
  return vi % di === 0n;
}

function toScaled(n: number): { digits: bigint; scale: number } {
  const [mantissa = '0', exp = '0'] = String(n).toLowerCase().split('e');
  const [int = '0', frac = ''] = mantissa.split('.');
  let scale = frac.length - Number(exp);
  let digits = BigInt(int + frac);
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { digits, scale };
}
