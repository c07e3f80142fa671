import type { Db } from '../db/database.ts';
import * as dataTransferRepository from './data-transfer.repository.ts';

export type { DataTransferRecord } from './data-transfer.repository.ts';

export function recordIncoming(db: Db, record: Omit<dataTransferRepository.DataTransferRecord, 'direction'>): Promise<void> {
  return dataTransferRepository.insert(db, { ...record, direction: 'incoming' });
}

export function recordOutgoing(db: Db, record: Omit<dataTransferRepository.DataTransferRecord, 'direction'>): Promise<void> {
  return dataTransferRepository.insert(db, { ...record, direction: 'outgoing' });
}
