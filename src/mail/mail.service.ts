import type { Db } from '../db/database.ts';
import * as mailRepository from './mail.repository.ts';

export function list(db: Db, filter: { recipient?: string | undefined; limit: number; offset: number }) {
  return mailRepository.list(db, filter);
}
