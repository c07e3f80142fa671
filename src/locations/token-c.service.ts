import { createHash } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { CpoOwnerRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import * as locationRepository from './location.repository.ts';

// Token C: the secret a CPO's back end presents to our webhooks ("Authorization: Bearer CPO_TOKEN_C").
// Only its sha256 is stored (cpo_owner.token_c_hash): a random token needs no slow hash, and the
// lookup by hash needs no constant-time comparison.

export function hashTokenC(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The CPO owner of `token`, which must be the party the request names (the webhook path's
 * country_code/party_id): 401 for an unknown token, 403 for another party's token.
 */
export async function authenticateTokenC(db: Db, token: string, party: { countryCode: string; partyId: string }): Promise<CpoOwnerRow> {
  const owner = await locationRepository.findCpoOwnerByTokenCHash(db, hashTokenC(token));
  if (!owner) throw new AppError('UNAUTHENTICATED', 'unknown token C');
  if (owner.countryCode.toUpperCase() !== party.countryCode.toUpperCase() || owner.partyId !== party.partyId) {
    throw new AppError('FORBIDDEN', `token belongs to another party; it cannot act for ${party.countryCode}/${party.partyId}`);
  }
  return owner;
}
