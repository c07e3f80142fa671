import type { Generated } from 'kysely';
import type { DefaultTimestamp } from './column-types.ts';

export type UserRole = 'ADMIN' | 'OPERATOR' | 'CPO_OWNER';

export interface AppUserTable {
  id: Generated<number>;
  username: string;
  passwordHash: string;
  role: UserRole;
  cpoOwnerId: number | null;
  mustChangePassword: Generated<boolean>;
  disabled: Generated<boolean>;
  createdAt: DefaultTimestamp;
  updatedAt: DefaultTimestamp;
}
