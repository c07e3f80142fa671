import { AppError, type AppErrorCode } from '../errors.ts';
import { Decimal } from '../money/decimal-money.ts';
import * as codes from './beckn-codes.ts';

// Reading untrusted Beckn JSON: each reader names the JSON path of what it rejects, so a NACK or an
// on_* error can point at the offending field.

const APP_CODE: Partial<Record<codes.BecknErrorCodeValue, AppErrorCode>> = {
  [codes.BecknErrorCode.itemNotFound]: 'NOT_FOUND',
  [codes.BecknErrorCode.orderNotFound]: 'NOT_FOUND',
  [codes.BecknErrorCode.providerNotFound]: 'NOT_FOUND',
  [codes.BecknErrorCode.invalidRatingValue]: 'UNPROCESSABLE',
};

export class BecknRequestError extends AppError {
  constructor(readonly becknCode: codes.BecknErrorCodeValue, readonly path: string, message: string) {
    super(APP_CODE[becknCode] ?? 'VALIDATION_FAILED', message, { beckn_code: becknCode, path });
    this.name = 'BecknRequestError';
  }
}

export type J = Record<string, unknown>;
export const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
export const invalid = (path: string, message: string) => new BecknRequestError(codes.BecknErrorCode.invalidRequest, path, message);

export function obj(v: unknown, path: string): J | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw invalid(path, `${path} must be an object`);
  return v;
}
export function need(v: unknown, path: string): J {
  const o = obj(v, path);
  if (!o) throw invalid(path, `${path} is required`);
  return o;
}
export function list(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(path, `${path} must be an array`);
  return v;
}
/** A string (or number) field, trimmed; undefined when absent or empty. */
export function text(v: unknown, path: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw invalid(path, `${path} must be a string`);
  const s = String(v).trim();
  return s === '' ? undefined : s;
}
export function decimal(v: unknown, path: string): Decimal | undefined {
  const s = text(v, path);
  if (s === undefined) return undefined;
  if (!Decimal.isValid(s)) throw invalid(path, `${path} must be a decimal number`);
  return Decimal.parse(s);
}
export function dateTime(v: unknown, path: string): Date | undefined {
  const s = text(v, path);
  if (s === undefined) return undefined;
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) ? new Date(s) : undefined;
  if (!at || Number.isNaN(at.getTime())) throw invalid(path, `${path} must be an RFC 3339 date-time`);
  return at;
}

/** The values of tags with one of `tagCodes`, in any tag group. */
export function tagValues(groups: unknown, path: string, tagCodes: readonly string[]): Array<{ value: string; path: string }> {
  return list(groups, path).flatMap((g, i) =>
    list(obj(g, `${path}[${i}]`)?.list, `${path}[${i}].list`).flatMap((t, k) => {
      const p = `${path}[${i}].list[${k}]`;
      const entry = obj(t, p);
      const code = text(obj(entry?.descriptor, `${p}.descriptor`)?.code, `${p}.descriptor.code`);
      const value = text(entry?.value, `${p}.value`);
      return code && value !== undefined && tagCodes.includes(code.toLowerCase()) ? [{ value, path: `${p}.value` }] : [];
    }),
  );
}

