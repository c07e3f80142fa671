import type { IdTagVerdict } from '../id-tags/id-tag.rules.ts';
import type { IdTagInfo } from './messages.ts';

export function toIdTagInfo(verdict: IdTagVerdict): IdTagInfo {
  return {
    status: verdict.status,
    ...(verdict.expiryDate ? { expiryDate: verdict.expiryDate.toISOString() } : {}),
    ...(verdict.parentIdTag ? { parentIdTag: verdict.parentIdTag } : {}),
  };
}
