import type { Db } from '../db/database.ts';
import * as transactionRepository from '../transactions/transaction.repository.ts';
import * as idTagRepository from './id-tag.repository.ts';
import { judgeIdTag, type IdTagVerdict } from './id-tag.rules.ts';

export type { IdTagVerdict };

export interface AuthorizeOptions {
  /** The transaction being judged: a resent StartTransaction must not find itself concurrent. */
  exceptTransactionId?: number;
  /** At StopTransaction ConcurrentTx means nothing: only the tag's own validity is reported. */
  ignoreConcurrency?: boolean;
}

/** What a charger is told about an id tag. */
export async function authorize(db: Db, idTag: string, now: Date, options: AuthorizeOptions = {}): Promise<IdTagVerdict> {
  const tag = await idTagRepository.findById(db, idTag);
  const parent = tag?.parentIdTag ? await idTagRepository.findById(db, tag.parentIdTag) : undefined;
  const active =
    tag && !options.ignoreConcurrency
      ? await transactionRepository.hasActiveForIdTag(db, idTag, options.exceptTransactionId)
      : false;
  return judgeIdTag(tag, parent, active, now);
}

export const upsert = idTagRepository.upsert;
