import type { Database } from '../db/database.ts';
import { AppError } from '../errors.ts';
import * as reservationService from '../reservations/reservation.service.ts';
import type { CommandAction, CommandRequest } from './charger-commands.ts';
import type { ChargerGateway, CommandOutcome } from './charger-gateway.ts';
import { applyEffects } from './command-effects.ts';
import * as commandLog from './command-log.service.ts';

export interface ExecuteOptions {
  requestedBy: string;
  timeoutMs?: number;
  now?: Date;
}

/**
 * Sends a command and records what the charger's answer implies (configuration read, reservation
 * held, profile installed…). The one way the operator API, orders and Beckn reach a charger.
 */
export async function execute<A extends CommandAction>(
  db: Database,
  gateway: ChargerGateway,
  chargePointId: string,
  action: A,
  payload: unknown,
  options: ExecuteOptions,
): Promise<CommandOutcome<A>> {
  const request = await prepare(db, action, payload);
  gateway.validate(action, request);
  const sendOptions = { requestedBy: options.requestedBy, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) };

  if (action === 'ReserveNow') {
    const r = request as CommandRequest<'ReserveNow'>;
    await reservationService.open(
      db,
      {
        chargePointId,
        connectorId: r.connectorId,
        idTag: r.idTag,
        parentIdTag: r.parentIdTag ?? null,
        expiryDate: new Date(r.expiryDate),
        reservationId: r.reservationId,
      },
      options.now ?? new Date(),
    );
    try {
      return await sendAndApply(db, gateway, chargePointId, action, request, sendOptions);
    } catch (err) {
      await reservationService.failed(db, r.reservationId, err instanceof AppError ? err.code : 'ERROR');
      throw err;
    }
  }
  return sendAndApply(db, gateway, chargePointId, action, request, sendOptions);
}

async function sendAndApply<A extends CommandAction>(
  db: Database,
  gateway: ChargerGateway,
  chargePointId: string,
  action: A,
  request: CommandRequest<A>,
  options: { requestedBy: string; timeoutMs?: number },
): Promise<CommandOutcome<A>> {
  const outcome = await gateway.send(chargePointId, action, request, options);
  await applyEffects(db, chargePointId, action, request, outcome.response);
  return outcome;
}

/** Fills what the platform allocates: a ReserveNow without reservationId gets the next one. */
async function prepare<A extends CommandAction>(db: Database, action: A, payload: unknown): Promise<unknown> {
  if (action !== 'ReserveNow' || typeof payload !== 'object' || payload === null) return payload;
  const p = payload as Partial<CommandRequest<'ReserveNow'>>;
  if (p.reservationId !== undefined) return payload;
  return { ...p, reservationId: await reservationService.allocateId(db) };
}

export const listCommands = commandLog.list;
export const getCommand = commandLog.get;
