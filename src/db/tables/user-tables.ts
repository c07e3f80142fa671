import type { Generated } from 'kysely';
import type { DefaultTimestamp, Timestamp } from './column-types.ts';

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

export interface ApiClientTable {
  id: Generated<number>;
  name: string;
  clientId: string;
  secretHash: string;
  createdAt: DefaultTimestamp;
  revokedAt: Timestamp | null;
}

export interface AuthSessionTable {
  id: string;
  userId: number;
  createdAt: DefaultTimestamp;
  revokedAt: Timestamp | null;
  currentRefreshJti: string | null;
  refreshExpiresAt: Timestamp;
}

export interface LoginFailureTable {
  id: Generated<number>;
  username: string;
  remoteAddress: string | null;
  at: DefaultTimestamp;
}

export interface MailOutboxTable {
  id: Generated<number>;
  recipient: string;
  subject: string;
  body: string;
  createdAt: DefaultTimestamp;
  sentAt: Timestamp | null;
  error: string | null;
}
