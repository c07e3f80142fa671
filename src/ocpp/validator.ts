import { createRequire } from 'node:module';
import { isDecimalMultiple } from '../decimal.ts';

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
