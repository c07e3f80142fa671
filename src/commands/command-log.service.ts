import type { OcppCommandRow } from '../db/schema.ts';
import * as commandRepository from './command.repository.ts';

// The ocpp_command journal: every server-to-charger call, written before it is sent and completed
// with the answer, the charger's CALLERROR, a timeout, or "offline".

export type { CommandCompletion, CommandFilter, NewCommand } from './command.repository.ts';

export const open = commandRepository.insert;
export const complete = commandRepository.complete;
export const get = commandRepository.findById;
export const list = commandRepository.list;

export type CommandRecord = OcppCommandRow;
