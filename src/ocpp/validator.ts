import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// ajv as ocpp-rpc resolves it: its schema ids ('urn:Action.req') need the ajv version it pins.
const requireFromOcppRpc = createRequire(require.resolve('ocpp-rpc'));
const Ajv = requireFromOcppRpc('ajv') as typeof import('ajv').default;
const addFormats = requireFromOcppRpc('ajv-formats') as typeof import('ajv-formats').default;
const ocpp16Schemas = require('ocpp-rpc/lib/schemas/ocpp1_6.json') as object;
// ocpp-rpc does not export its Validator class from the package root; strict mode needs an instance of it.
const { Validator } = require('ocpp-rpc/lib/validator.js') as {
  Validator: new (subprotocol: string, ajv: unknown) => OcppValidator;
};

export interface OcppValidator {
  readonly subprotocol: string;
  validate(schemaId: string, params: unknown): boolean;
}

/**
 * The OCPP 1.6 strict-mode validator, with `multipleOf` decided in decimal rather than binary
 * floating point: 9.1 is a multiple of 0.1 (in floats 9.1 / 0.1 = 90.99999999999999), and 9.15 is
 * not, however close a float epsilon would call it.
 */
export function createOcpp16Validator(): OcppValidator {
  const ajv = new Ajv({ strictSchema: false, allErrors: false });
  addFormats(ajv);
  ajv.removeKeyword('multipleOf');
  ajv.addKeyword({
    keyword: 'multipleOf',
    type: 'number',
    schemaType: 'number',
    errors: false,
    compile: (divisor: number) => (data: number) => isDecimalMultiple(data, divisor),
  });
  ajv.addSchema(ocpp16Schemas);
  return new Validator('ocpp1.6', ajv);
}

/** Exact test in base 10: both numbers as written (shortest round-trip form) scaled to integers. */
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
