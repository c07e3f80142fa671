import { GraphQLError } from 'graphql';
import { isAppError, type AppErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** extensions.code of the GraphQL errors this API returns (besides graphql-js's own validation errors). */
export type GraphqlErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'DEPTH_LIMIT_EXCEEDED'
  | 'COST_LIMIT_EXCEEDED'
  | 'INTROSPECTION_DISABLED'
  | 'INTERNAL_SERVER_ERROR'
  | Exclude<AppErrorCode, 'VALIDATION_FAILED' | 'UNPROCESSABLE' | 'PASSWORD_CHANGE_REQUIRED'>;

/** The one table from domain error codes to GraphQL ones. */
const CODE: Record<AppErrorCode, GraphqlErrorCode> = {
  VALIDATION_FAILED: 'BAD_USER_INPUT',
  UNPROCESSABLE: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  PASSWORD_CHANGE_REQUIRED: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  CHARGER_OFFLINE: 'CHARGER_OFFLINE',
  CHARGER_TIMEOUT: 'CHARGER_TIMEOUT',
  CHARGER_REJECTED: 'CHARGER_REJECTED',
  CHARGER_ERROR: 'CHARGER_ERROR',
  RATE_LIMITED: 'RATE_LIMITED',
  UNAVAILABLE: 'UNAVAILABLE',
};

export function graphqlError(code: GraphqlErrorCode, message: string, details?: unknown): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...(details !== undefined ? { details } : {}) } });
}

/**
 * Yoga's maskError: an AppError becomes an error with its code, a GraphQLError made on purpose (or by
 * graphql-js validation) passes, and anything else is logged and masked.
 */
export function maskError(log: Logger) {
  return (error: unknown, message: string): Error => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    const located = error instanceof GraphQLError ? error : undefined;
    if (isAppError(original)) {
      return new GraphQLError(original.message, {
        ...(located ? { nodes: located.nodes, path: located.path } : {}),
        extensions: { code: CODE[original.code], ...(original.details !== undefined ? { details: original.details } : {}) },
      });
    }
    if (located && (original === undefined || original === null || original instanceof GraphQLError)) return located;
    log.error({ err: original ?? error, path: located?.path }, 'GraphQL operation failed');
    return new GraphQLError(message, {
      ...(located ? { nodes: located.nodes, path: located.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  };
}
