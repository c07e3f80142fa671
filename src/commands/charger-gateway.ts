import type { CommandAction, CommandRequest, CommandResponse } from './charger-commands.ts';

export interface CommandOptions {
  /** Who asked: a user (`user:42`), a service (`orders`), … — stored with the command. */
  requestedBy: string;
  timeoutMs?: number;
}

export interface CommandOutcome<A extends CommandAction> {
  commandId: number;
  response: CommandResponse<A>;
}

/**
 * Sends a command to a charger wherever its socket lives in the cluster, waits for its answer and
 * records the exchange in ocpp_command. Throws AppError: VALIDATION_FAILED (payload not valid for the
 * action), NOT_FOUND (no such charger), CHARGER_OFFLINE, CHARGER_TIMEOUT, CHARGER_ERROR (the charger
 * answered with a CALLERROR). Implemented by src/ocpp/, wired in main.ts.
 */
export interface ChargerGateway {
  /** Throws VALIDATION_FAILED when `payload` is not a valid request for `action`. */
  validate<A extends CommandAction>(action: A, payload: unknown): asserts payload is CommandRequest<A>;
  send<A extends CommandAction>(
    chargePointId: string,
    action: A,
    payload: CommandRequest<A>,
    options: CommandOptions,
  ): Promise<CommandOutcome<A>>;
}
