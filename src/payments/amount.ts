// Exact comparisons of decimal amounts as strings ("128.6" equals "128.60"); floats would round.

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;
/** What a payment or refund amount may be: positive, at most two decimals (numeric(12, 2) columns). */
const AMOUNT = /^\d{1,10}(?:\.\d{1,2})?$/;

export function isAmount(value: string): boolean {
  return AMOUNT.test(value) && /[1-9]/.test(value);
}

/** -1, 0 or 1; throws on a string that is not an unsigned decimal. */
export function compareDecimal(a: string, b: string): number {
  const [ai, af] = split(a);
  const [bi, bf] = split(b);
  const scale = Math.max(af.length, bf.length);
  const x = BigInt(ai + af.padEnd(scale, '0'));
  const y = BigInt(bi + bf.padEnd(scale, '0'));
  return x === y ? 0 : x < y ? -1 : 1;
}

export function sameMoney(a: { amount: string; currency: string }, b: { amount: string; currency: string }): boolean {
  return a.currency.toUpperCase() === b.currency.toUpperCase() && compareDecimal(a.amount, b.amount) === 0;
}

function split(value: string): [string, string] {
  const match = DECIMAL.exec(value.trim());
  if (!match) throw new Error(`not a decimal amount: ${value}`);
  return [match[1]!, match[2] ?? ''];
}
