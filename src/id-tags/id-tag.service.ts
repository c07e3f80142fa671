import type { Db } from '../db/database.ts';
import { AppError } from '../errors.ts';
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

export const list = idTagRepository.list;

/** A new id tag; its parent (group) must exist. */
export async function create(db: Db, tag: { idTag: string; status: IdTagStatusStored; expiryDate: Date | null; parentIdTag: string | null }) {
  if (await idTagRepository.findById(db, tag.idTag)) throw new AppError('CONFLICT', `id tag ${tag.idTag} already exists`);
  if (tag.parentIdTag && !(await idTagRepository.findById(db, tag.parentIdTag))) {
    throw new AppError('VALIDATION_FAILED', `parent id tag ${tag.parentIdTag} does not exist`);
  }
  return idTagRepository.insert(db, tag);
}

export async function setStatus(db: Db, idTag: string, status: IdTagStatusStored) {
  const row = await idTagRepository.setStatus(db, idTag, status);
  if (!row) throw new AppError('NOT_FOUND', `id tag ${idTag} does not exist`);
  return row;
}

type IdTagStatusStored = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';
