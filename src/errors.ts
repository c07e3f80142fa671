/**
 * The one error type the domain throws for expected failures. Each adapter maps `code` to its own
 * envelope and status in a single table; nothing ever matches on `message`.
 */
export type AppErrorCode =
  | 'VALIDATION_FAILED'
  /** Well-formed but not acceptable (a value out of range, a rule of the domain): 422. */
  | 'UNPROCESSABLE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'PASSWORD_CHANGE_REQUIRED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'CHARGER_OFFLINE'
  | 'CHARGER_TIMEOUT'
  | 'CHARGER_REJECTED'
  | 'CHARGER_ERROR'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;
