import { isAppError, type AppError, type AppErrorCode } from '../errors.ts';
import { HTTP_STATUS } from '../http/error-middleware.ts';
import type { ErrorEnvelope } from '../http/error-middleware.ts';
import { BecknErrorCode } from './beckn-codes.ts';
import { BecknRequestError } from './intent-read.ts';

// Our errors as Beckn errors: { code, paths, message } in a NACK (synchronous) or in an on_* callback.

export interface BecknError {
  code: string;
  paths?: string;
  message: string;
}

const BY_APP_CODE: Partial<Record<AppErrorCode, string>> = {
  NOT_FOUND: BecknErrorCode.orderNotFound,
  CONFLICT: BecknErrorCode.updateInconsistency,
  CHARGER_OFFLINE: BecknErrorCode.fulfillmentUnavailable,
  CHARGER_REJECTED: BecknErrorCode.fulfillmentUnavailable,
  CHARGER_TIMEOUT: BecknErrorCode.fulfillmentUnavailable,
  CHARGER_ERROR: BecknErrorCode.fulfillmentUnavailable,
};

export function becknErrorOf(err: AppError): BecknError {
  if (err instanceof BecknRequestError) return { code: err.becknCode, paths: err.path, message: err.message };
  const reason = (err.details as { reason?: string } | undefined)?.reason;
  const code = BY_APP_CODE[(reason as AppErrorCode | undefined) ?? err.code] ?? BY_APP_CODE[err.code] ?? BecknErrorCode.invalidRequest;
  return { code, message: err.message };
}

export function httpStatusOf(err: unknown): number {
  return isAppError(err) ? HTTP_STATUS[err.code] : 500;
}

export const nack = (error: BecknError) => ({ message: { ack: { status: 'NACK' } }, error });
export const ACK = { message: { ack: { status: 'ACK' } } } as const;

/** Errors caught by the app's error middleware on /beckn/ (a malformed body, a crash) still answer a NACK. */
export const becknErrorEnvelope: ErrorEnvelope = (e) =>
  nack({ code: e.status >= 500 ? BecknErrorCode.internalError : BecknErrorCode.invalidRequest, message: e.message });
