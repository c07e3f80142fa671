import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { rejectionOf } from '../fixtures/app-error.ts';
import * as locationRepository from '../../src/locations/location.repository.ts';
import * as userService from '../../src/users/user.service.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(() => handle.close());

describe('createUser', () => {
  it('creates a user and never returns or stores the plain password', async () => {
    const user = await userService.createUser(handle.db, { username: 'alice', password: 'correct horse battery', role: 'OPERATOR' });
    expect(user).toMatchObject({ username: 'alice', role: 'OPERATOR', cpoOwnerId: null, mustChangePassword: false, disabled: false });
    expect(user.id).toBeGreaterThan(0);
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(user).not.toHaveProperty('passwordHash');

    const stored = await handle.db.selectFrom('appUser').select('passwordHash').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(stored.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored.passwordHash).not.toContain('horse');
  });

  it('refuses a duplicate username, whatever its case, with CONFLICT', async () => {
    await userService.createUser(handle.db, { username: 'bob.smith', password: 'bob-password-123', role: 'OPERATOR' });
    for (const username of ['bob.smith', 'BOB.Smith']) {
      const err = await rejectionOf(userService.createUser(handle.db, { username, password: 'another-password-1', role: 'ADMIN' }));
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toContain('already taken');
    }
    const rows = await handle.db.selectFrom('appUser').select('role').where('username', '=', 'bob.smith').execute();
    expect(rows).toEqual([{ role: 'OPERATOR' }]);
  });

  it('leaves a surrounding transaction usable after a duplicate', async () => {
    await handle.db.transaction().execute(async (tx) => {
      await userService.createUser(tx, { username: 'tx-user', password: 'tx-password-1234', role: 'OPERATOR' });
      const err = await rejectionOf(userService.createUser(tx, { username: 'TX-USER', password: 'tx-password-1234', role: 'OPERATOR' }));
      expect(err.code).toBe('CONFLICT');
      await userService.createUser(tx, { username: 'tx-user-2', password: 'tx-password-1234', role: 'OPERATOR' });
    });
    expect((await userService.authenticate(handle.db, 'tx-user-2', 'tx-password-1234')).username).toBe('tx-user-2');
  });

  it.each([
    ['too short', 'ab'],
    ['too long', 'x'.repeat(65)],
    ['a space', 'john smith'],
    ['a slash', 'john/smith'],
    ['non-ASCII', 'jösé'],
    ['empty', ''],
  ])('refuses a username with %s', async (_why, username) => {
    const err = await rejectionOf(userService.createUser(handle.db, { username, password: 'good-password-123', role: 'OPERATOR' }));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.message).toMatch(/^username must be 3 to 64 characters/);
  });

  it('accepts usernames at the edges of the rule', async () => {
    for (const username of ['abc', 'x'.repeat(64), 'ops_team-1.lead@example.com']) {
      const user = await userService.createUser(handle.db, { username, password: 'good-password-123', role: 'OPERATOR' });
      expect(user.username).toBe(username);
    }
  });

  it('refuses a password shorter than 12 characters', async () => {
    const err = await rejectionOf(userService.createUser(handle.db, { username: 'shorty', password: 'eleven-char', role: 'OPERATOR' }));
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', message: 'password must be at least 12 characters' });
    await userService.createUser(handle.db, { username: 'shorty', password: 'twelve-chars', role: 'OPERATOR' });
  });

  it('refuses an unknown role', async () => {
    const err = await rejectionOf(userService.createUser(handle.db, { username: 'rooty', password: 'good-password-123', role: 'ROOT' as never }));
    expect(err.code).toBe('VALIDATION_FAILED');
  });

  it('ties CPO_OWNER users, and only them, to an existing CPO owner', async () => {
    const owner = await locationRepository.insertCpoOwner(handle.db, { name: 'Acme CPO', countryCode: 'PH', partyId: 'ACM' });
    const cpoUser = await userService.createUser(handle.db, { username: 'acme-owner', password: 'good-password-123', role: 'CPO_OWNER', cpoOwnerId: owner.id });
    expect(cpoUser.cpoOwnerId).toBe(owner.id);

    const missing = await rejectionOf(userService.createUser(handle.db, { username: 'no-owner', password: 'good-password-123', role: 'CPO_OWNER' }));
    expect(missing.code).toBe('VALIDATION_FAILED');
    const unknown = await rejectionOf(userService.createUser(handle.db, { username: 'no-owner', password: 'good-password-123', role: 'CPO_OWNER', cpoOwnerId: 999_999 }));
    expect(unknown).toMatchObject({ code: 'VALIDATION_FAILED', message: 'CPO owner 999999 does not exist' });
    const admin = await rejectionOf(userService.createUser(handle.db, { username: 'owned-admin', password: 'good-password-123', role: 'ADMIN', cpoOwnerId: owner.id }));
    expect(admin.code).toBe('VALIDATION_FAILED');
  });

  it('records mustChangePassword when asked', async () => {
    const user = await userService.createUser(handle.db, { username: 'temp-pw', password: userService.generatePassword(), role: 'OPERATOR', mustChangePassword: true });
    expect(user.mustChangePassword).toBe(true);
  });
});

describe('authenticate', () => {
  beforeAll(async () => {
    await userService.createUser(handle.db, { username: 'Carol', password: 'carol-password-1', role: 'ADMIN' });
  });

  it('returns the user, without its hash, for the right password', async () => {
    const user = await userService.authenticate(handle.db, 'Carol', 'carol-password-1');
    expect(user).toMatchObject({ username: 'Carol', role: 'ADMIN', disabled: false });
    expect(user).not.toHaveProperty('passwordHash');
  });

  it('matches the username case-insensitively', async () => {
    expect((await userService.authenticate(handle.db, 'carol', 'carol-password-1')).username).toBe('Carol');
    expect((await userService.authenticate(handle.db, 'CAROL', 'carol-password-1')).username).toBe('Carol');
  });

  it('answers a wrong password and an unknown user with the same error', async () => {
    const wrong = await rejectionOf(userService.authenticate(handle.db, 'Carol', 'Carol-password-1'));
    const unknown = await rejectionOf(userService.authenticate(handle.db, 'nobody-here', 'carol-password-1'));
    const malformed = await rejectionOf(userService.authenticate(handle.db, 'no such user!', 'carol-password-1'));
    for (const err of [wrong, unknown, malformed]) {
      expect(err.code).toBe('UNAUTHENTICATED');
      expect(err.message).toBe('invalid username or password');
      expect(err.details).toBeUndefined();
    }
  });

  it('spends as long on an unknown user as on a wrong password (a dummy hash is verified)', async () => {
    const time = async (username: string) => {
      const samples: number[] = [];
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        await rejectionOf(userService.authenticate(handle.db, username, 'wrong-password-1'));
        samples.push(performance.now() - start);
      }
      return samples.sort((a, b) => a - b)[1]!;
    };
    const known = await time('Carol');
    const unknown = await time('nobody-here');
    // Loose bound: scrypt dominates both; without the dummy verify the unknown case takes ~1 ms.
    expect(unknown).toBeGreaterThan(known * 0.3);
  });

  it('refuses a disabled user, even with the right password, and accepts it again once enabled', async () => {
    const dave = await userService.createUser(handle.db, { username: 'dave', password: 'dave-password-12', role: 'OPERATOR' });
    await userService.setDisabled(handle.db, dave.id, true);
    const refused = await rejectionOf(userService.authenticate(handle.db, 'dave', 'dave-password-12'));
    expect(refused).toMatchObject({ code: 'UNAUTHENTICATED', message: 'this account is disabled' });
    // A wrong password on a disabled account says nothing about the account.
    const wrong = await rejectionOf(userService.authenticate(handle.db, 'dave', 'not-daves-password'));
    expect(wrong.message).toBe('invalid username or password');

    await userService.setDisabled(handle.db, dave.id, false);
    expect((await userService.authenticate(handle.db, 'dave', 'dave-password-12')).id).toBe(dave.id);
  });

  it('refuses an absurdly long password without hashing it', async () => {
    const err = await rejectionOf(userService.authenticate(handle.db, 'Carol', 'x'.repeat(10_000)));
    expect(err.message).toBe('invalid username or password');
  });
});

describe('getById', () => {
  it('returns the user without its hash, or NOT_FOUND', async () => {
    const erin = await userService.createUser(handle.db, { username: 'erin', password: 'erin-password-12', role: 'OPERATOR' });
    const found = await userService.getById(handle.db, erin.id);
    expect(found).toEqual(erin);
    expect(found).not.toHaveProperty('passwordHash');
    expect((await rejectionOf(userService.getById(handle.db, 987_654))).code).toBe('NOT_FOUND');
  });
});

describe('password change', () => {
  it('prepares outside any transaction, then stores it and clears must_change_password', async () => {
    const user = await userService.createUser(handle.db, { username: 'otp-user', password: 'one-time-password', role: 'OPERATOR', mustChangePassword: true });
    const change = await userService.preparePasswordChange(handle.db, user.id, { oldPassword: 'one-time-password', newPassword: 'my-own-password-1' });
    expect(change).toMatchObject({ userId: user.id, newHash: expect.stringMatching(/^scrypt\$/) });
    // Nothing is stored until applied.
    await userService.authenticate(handle.db, 'otp-user', 'one-time-password');
    const updated = await userService.applyPasswordChange(handle.db, change!);
    expect(updated).toMatchObject({ id: user.id, mustChangePassword: false });
    expect(updated).not.toHaveProperty('passwordHash');
    await userService.authenticate(handle.db, 'otp-user', 'my-own-password-1');
    expect((await rejectionOf(userService.authenticate(handle.db, 'otp-user', 'one-time-password'))).code).toBe('UNAUTHENTICATED');
  });

  it('answers undefined for a wrong old password', async () => {
    const user = await userService.createUser(handle.db, { username: 'pw-guess', password: 'the-real-password', role: 'OPERATOR' });
    expect(await userService.preparePasswordChange(handle.db, user.id, { oldPassword: 'not-the-password', newPassword: 'my-own-password-1' })).toBeUndefined();
    expect(await userService.preparePasswordChange(handle.db, user.id, { oldPassword: 'x'.repeat(5000), newPassword: 'my-own-password-1' })).toBeUndefined();
  });

  it.each([
    ['too short', 'short-pw', 'new_password must be at least 12 characters'],
    ['too long', 'x'.repeat(1025), 'new_password must be at most 1024 characters'],
    ['the same', 'the-same-password', 'new_password must differ from old_password'],
  ])('refuses a new password that is %s', async (_why, newPassword, message) => {
    const user = await userService.createUser(handle.db, { username: `pw-rule-${newPassword.length}`, password: 'the-same-password', role: 'OPERATOR' });
    const err = await rejectionOf(userService.preparePasswordChange(handle.db, user.id, { oldPassword: 'the-same-password', newPassword }));
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', message });
  });

  it('refuses to apply a change checked against a password that has changed since (CONFLICT)', async () => {
    const user = await userService.createUser(handle.db, { username: 'pw-race', password: 'first-password-1', role: 'OPERATOR' });
    const a = await userService.preparePasswordChange(handle.db, user.id, { oldPassword: 'first-password-1', newPassword: 'second-password-a' });
    const b = await userService.preparePasswordChange(handle.db, user.id, { oldPassword: 'first-password-1', newPassword: 'second-password-b' });
    await userService.applyPasswordChange(handle.db, a!);
    expect((await rejectionOf(userService.applyPasswordChange(handle.db, b!))).code).toBe('CONFLICT');
    await userService.authenticate(handle.db, 'pw-race', 'second-password-a');
  });

  it('answers NOT_FOUND for an unknown user', async () => {
    const err = await rejectionOf(userService.preparePasswordChange(handle.db, 987_655, { oldPassword: 'whatever-pw', newPassword: 'my-own-password-1' }));
    expect(err.code).toBe('NOT_FOUND');
  });
});
