// Pure authorization rules for id tags (RFID cards, app tokens), shared by Authorize and StartTransaction.

export type IdTagStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';

export interface StoredIdTag {
  idTag: string;
  status: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';
  expiryDate: Date | null;
  parentIdTag: string | null;
}

export interface IdTagVerdict {
  status: IdTagStatus;
  expiryDate: Date | null;
  parentIdTag: string | null;
}

/**
 * The tag's own state decides first (unknown → Invalid, blocked, expired by status or by date); a
 * blocked or expired parent (group) tag takes its children with it; a tag already charging elsewhere
 * is ConcurrentTx.
 */
export function judgeIdTag(
  tag: StoredIdTag | undefined,
  parent: StoredIdTag | undefined,
  hasActiveTransaction: boolean,
  now: Date,
): IdTagVerdict {
  if (!tag) return { status: 'Invalid', expiryDate: null, parentIdTag: null };
  const base = { expiryDate: tag.expiryDate, parentIdTag: tag.parentIdTag };
  const own = ownStatus(tag, now);
  if (own !== 'Accepted') return { status: own, ...base };
  if (parent) {
    const group = ownStatus(parent, now);
    if (group === 'Blocked' || group === 'Expired') return { status: group, ...base };
  }
  if (hasActiveTransaction) return { status: 'ConcurrentTx', ...base };
  return { status: 'Accepted', ...base };
}

function ownStatus(tag: StoredIdTag, now: Date): StoredIdTag['status'] {
  if (tag.status !== 'Accepted') return tag.status;
  if (tag.expiryDate && tag.expiryDate.getTime() <= now.getTime()) return 'Expired';
  return 'Accepted';
}
