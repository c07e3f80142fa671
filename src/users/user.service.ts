import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { UserRole } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { USER_PASSWORD_COST, hashPassword, verifyPassword } from '../security/password.ts';
import * as userRepository from './user.repository.ts';

export type User = userRepository.UserRow;

export const USER_ROLES: readonly UserRole[] = ['ADMIN', 'OPERATOR', 'CPO_OWNER'];
/** 3–64 characters; '@' allows e-mail addresses as usernames. Matching is case-insensitive (citext). */
export const USERNAME_PATTERN = /^[A-Za-z0-9._@-]{3,64}$/;
export const PASSWORD_MIN_LENGTH = 12;
/** scrypt takes any length, but nobody types more; the cap keeps one request from hashing megabytes. */
export const PASSWORD_MAX_LENGTH = 1024;

const INVALID_CREDENTIALS = 'invalid username or password';

/**
 * A well-formed hash at the cost of real user hashes that no password matches: verifying against it
 * when the username is unknown takes as long as a wrong password does, so timing does not tell them apart.
 */
const DUMMY_HASH = [
  'scrypt',
  USER_PASSWORD_COST.N,
  USER_PASSWORD_COST.r,
  USER_PASSWORD_COST.p,
  Buffer.alloc(16).toString('base64url'),
  Buffer.alloc(32).toString('base64url'),
].join('$');

export interface NewUser {
  username: string;
  password: string;
  role: UserRole;
  /** Required for CPO_OWNER (the operator company the user acts for), refused for the other roles. */
  cpoOwnerId?: number | null;
  mustChangePassword?: boolean;
}

export async function createUser(db: Db, input: NewUser): Promise<User> {
  if (typeof input.username !== 'string' || !USERNAME_PATTERN.test(input.username)) {
    throw new AppError('VALIDATION_FAILED', 'username must be 3 to 64 characters of letters, digits and . _ - @');
  }
  if (typeof input.password !== 'string' || input.password.length < PASSWORD_MIN_LENGTH) {
    throw new AppError('VALIDATION_FAILED', `password must be at least ${PASSWORD_MIN_LENGTH} characters`);
  }
  if (input.password.length > PASSWORD_MAX_LENGTH) {
    throw new AppError('VALIDATION_FAILED', `password must be at most ${PASSWORD_MAX_LENGTH} characters`);
  }
  if (!USER_ROLES.includes(input.role)) {
    throw new AppError('VALIDATION_FAILED', `role must be one of ${USER_ROLES.join(', ')}`);
  }
  const cpoOwnerId = input.cpoOwnerId ?? null;
  if (input.role === 'CPO_OWNER' && cpoOwnerId === null) {
    throw new AppError('VALIDATION_FAILED', 'a CPO_OWNER user needs the CPO owner it acts for');
  }
  if (input.role !== 'CPO_OWNER' && cpoOwnerId !== null) {
    throw new AppError('VALIDATION_FAILED', `a ${input.role} user does not belong to a CPO owner`);
  }
  if (cpoOwnerId !== null && !(await userRepository.cpoOwnerExists(db, cpoOwnerId))) {
    throw new AppError('VALIDATION_FAILED', `CPO owner ${cpoOwnerId} does not exist`);
  }
  const passwordHash = await hashPassword(input.password, USER_PASSWORD_COST);
  const user = await userRepository.insertIfUsernameFree(db, {
    username: input.username,
    passwordHash,
    role: input.role,
    cpoOwnerId,
    mustChangePassword: input.mustChangePassword ?? false,
  });
  if (!user) throw new AppError('CONFLICT', `username ${input.username} is already taken`);
  return user;
}

/**
 * The user these credentials belong to. Unknown username and wrong password fail alike, in message
 * and in time; a disabled account is refused only once its password is proven, so that answer
 * reveals nothing to someone guessing.
 */
export async function authenticate(db: Db, username: string, password: string): Promise<User> {
  const found =
    typeof username === 'string' && USERNAME_PATTERN.test(username)
      ? await userRepository.findCredentialsByUsername(db, username)
      : undefined;
  const passwordOk =
    typeof password === 'string' && password.length <= PASSWORD_MAX_LENGTH
      ? await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH)
      : false;
  if (!found || !passwordOk) throw new AppError('UNAUTHENTICATED', INVALID_CREDENTIALS);
  if (found.disabled) throw new AppError('UNAUTHENTICATED', 'this account is disabled');
  const { passwordHash: _hash, ...user } = found;
  return user;
}

/** A checked password change whose slow part (scrypt) is done; store it with applyPasswordChange. */
export interface PasswordChange {
  userId: number;
  /** The hash the old password was checked against. */
  expectedHash: string;
  newHash: string;
}

/**
 * Checks a password change and hashes the new password, so that what the caller then does in a
 * transaction is quick (on PGlite a transaction holds the only connection). VALIDATION_FAILED for
 * an unfit new password; undefined when `oldPassword` is not the user's current password, so the
 * caller decides how to answer (and count) that.
 */
export async function preparePasswordChange(
  db: Db,
  userId: number,
  input: { oldPassword: string; newPassword: string },
): Promise<PasswordChange | undefined> {
  const { oldPassword, newPassword } = input;
  if (typeof newPassword !== 'string' || newPassword.length < PASSWORD_MIN_LENGTH) {
    throw new AppError('VALIDATION_FAILED', `new_password must be at least ${PASSWORD_MIN_LENGTH} characters`);
  }
  if (newPassword.length > PASSWORD_MAX_LENGTH) {
    throw new AppError('VALIDATION_FAILED', `new_password must be at most ${PASSWORD_MAX_LENGTH} characters`);
  }
  if (newPassword === oldPassword) throw new AppError('VALIDATION_FAILED', 'new_password must differ from old_password');
  const found = await userRepository.findCredentialsById(db, userId);
  if (!found) throw new AppError('NOT_FOUND', `user ${userId} not found`);
  const oldOk =
    typeof oldPassword === 'string' && oldPassword.length <= PASSWORD_MAX_LENGTH && (await verifyPassword(oldPassword, found.passwordHash));
  if (!oldOk) return undefined;
  return { userId, expectedHash: found.passwordHash, newHash: await hashPassword(newPassword, USER_PASSWORD_COST) };
}

/** Stores a prepared change and clears must_change_password; CONFLICT if the password changed since it was checked. */
export async function applyPasswordChange(db: Db, change: PasswordChange, at = new Date()): Promise<User> {
  const user = await userRepository.replacePasswordHash(db, change.userId, { expectedHash: change.expectedHash, newHash: change.newHash, at });
  if (!user) throw new AppError('CONFLICT', 'the password was changed by another request meanwhile; try again');
  return user;
}

export async function getById(db: Db, id: number): Promise<User> {
  const user = await userRepository.findById(db, id);
  if (!user) throw new AppError('NOT_FOUND', `user ${id} not found`);
  return user;
}

export async function setDisabled(db: Db, id: number, disabled: boolean): Promise<User> {
  const user = await userRepository.setDisabled(db, id, disabled);
  if (!user) throw new AppError('NOT_FOUND', `user ${id} not found`);
  return user;
}

/** A random password for a new account (24 characters, 144 bits), shown once to whoever creates it. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
