import type { Db } from '../db/database.ts';
import type { CommandStatus, OcppCommandRow } from '../db/schema.ts';

export interface NewCommand {
  chargePointId: string;
  action: string;
  payload: unknown;
  requestedBy: string;
  originNode: string;
}

export async function insert(db: Db, command: NewCommand): Promise<OcppCommandRow> {
  return db
    .insertInto('ocppCommand')
    .values({ ...command, payload: JSON.stringify(command.payload) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findById(db: Db, id: number): Promise<OcppCommandRow | undefined> {
  return db.selectFrom('ocppCommand').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface CommandCompletion {
  status: Exclude<CommandStatus, 'pending'>;
  executingNode: string | null;
  response?: unknown;
  errorCode?: string;
  errorDescription?: string;
  durationMs: number;
}

/** Completes a pending command; a command already completed (e.g. timed out elsewhere) is left as is. */
export async function complete(db: Db, id: number, c: CommandCompletion): Promise<OcppCommandRow | undefined> {
  return db
    .updateTable('ocppCommand')
    .set({
      status: c.status,
      executingNode: c.executingNode,
      response: c.response === undefined ? null : JSON.stringify(c.response),
      errorCode: c.errorCode ?? null,
      errorDescription: c.errorDescription ?? null,
      durationMs: Math.round(c.durationMs),
      completedAt: new Date(),
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
}

export interface CommandFilter {
  chargePointId?: string;
  action?: string;
  limit: number;
  offset: number;
}

export function list(db: Db, filter: CommandFilter): Promise<OcppCommandRow[]> {
  let query = db.selectFrom('ocppCommand').selectAll();
  if (filter.chargePointId) query = query.where('chargePointId', '=', filter.chargePointId);
  if (filter.action) query = query.where('action', '=', filter.action);
  return query.orderBy('requestedAt', 'desc').orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute();
}
