import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CHARGER_PASSWORD_COST,
  USER_PASSWORD_COST,
  generateChargerPassword,
  generateChargerSecret,
  generateChargerSecrets,
  hashPassword,
  verifyPassword,
} from '../../src/security/password.ts';

const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

describe('hashPassword / verifyPassword', () => {
  it('verifies the password it hashed', async () => {
    const stored = await hashPassword('correct horse battery staple', CHARGER_PASSWORD_COST);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
  });

  it('rejects a wrong password', async () => {
    const stored = await hashPassword('s3cret-password', CHARGER_PASSWORD_COST);
    expect(await verifyPassword('s3cret-passwore', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
    expect(await verifyPassword('S3cret-password', stored)).toBe(false);
  });

  it('writes scrypt$N$r$p$salt$hash with the cost, a 16-byte salt and a 32-byte key in base64url', async () => {
    const stored = await hashPassword('pw', CHARGER_PASSWORD_COST);
    const m = FORMAT.exec(stored);
    expect(m).not.toBeNull();
    const [, n, r, p, salt, hash] = m!;
    expect(Number(n)).toBe(4096);
    expect(Number(r)).toBe(8);
    expect(Number(p)).toBe(1);
    expect(Buffer.from(salt!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64url')).toHaveLength(32);
  });

  it('uses the user cost by default', async () => {
    const stored = await hashPassword('pw');
    expect(stored.startsWith(`scrypt$${USER_PASSWORD_COST.N}$${USER_PASSWORD_COST.r}$${USER_PASSWORD_COST.p}$`)).toBe(true);
    expect(USER_PASSWORD_COST.N).toBe(32768);
    expect(await verifyPassword('pw', stored)).toBe(true);
    expect(await verifyPassword('pW', stored)).toBe(false);
  });

  it('salts: two hashes of the same password differ and both verify', async () => {
    const a = await hashPassword('same', CHARGER_PASSWORD_COST);
    const b = await hashPassword('same', CHARGER_PASSWORD_COST);
    expect(a).not.toBe(b);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
    expect(a.split('$')[5]).not.toBe(b.split('$')[5]);
    expect(await verifyPassword('same', a)).toBe(true);
    expect(await verifyPassword('same', b)).toBe(true);
  });

  it('reads the cost from the stored string', async () => {
    const cheap = { N: 1024, r: 4, p: 2 };
    const stored = await hashPassword('pw', cheap);
    expect(stored.startsWith('scrypt$1024$4$2$')).toBe(true);
    expect(await verifyPassword('pw', stored)).toBe(true);
  });

  it('fails when the stored cost was changed', async () => {
    const stored = await hashPassword('pw', CHARGER_PASSWORD_COST);
    expect(await verifyPassword('pw', stored.replace('scrypt$4096$', 'scrypt$2048$'))).toBe(false);
  });

  it('fails when the stored salt or key was changed', async () => {
    const stored = await hashPassword('pw', CHARGER_PASSWORD_COST);
    const parts = stored.split('$');
    const otherSalt = Buffer.alloc(16, 1).toString('base64url');
    expect(await verifyPassword('pw', [...parts.slice(0, 4), otherSalt, parts[5]].join('$'))).toBe(false);
    const key = Buffer.from(parts[5]!, 'base64url');
    key[0] = key[0]! ^ 0xff;
    expect(await verifyPassword('pw', [...parts.slice(0, 5), key.toString('base64url')].join('$'))).toBe(false);
  });

  it('verifies Buffer passwords, including non-ASCII text as UTF-8', async () => {
    const stored = await hashPassword('pässwörd-€', CHARGER_PASSWORD_COST);
    expect(await verifyPassword(Buffer.from('pässwörd-€', 'utf8'), stored)).toBe(true);
    expect(await verifyPassword('pässwörd-€', stored)).toBe(true);
    expect(await verifyPassword(Buffer.from('pässwörd-€', 'latin1'), stored)).toBe(false);
  });

  it('verifies a Buffer holding binary bytes against a hash of the same bytes as text', async () => {
    const password = generateChargerPassword();
    const stored = await hashPassword(password, CHARGER_PASSWORD_COST);
    expect(await verifyPassword(Buffer.from(password), stored)).toBe(true);
    expect(await verifyPassword(Buffer.from(password.slice(1)), stored)).toBe(false);
  });

  describe('malformed stored strings return false', () => {
    let valid = '';
    const cases: Array<[string, (v: string) => string]> = [
      ['empty', () => ''],
      ['plain text', () => 'not a hash'],
      ['scheme only', () => 'scrypt'],
      ['other scheme', (v) => v.replace(/^scrypt/, 'bcrypt')],
      ['missing key', (v) => v.split('$').slice(0, 5).join('$')],
      ['empty key', (v) => `${v.split('$').slice(0, 5).join('$')}$`],
      ['empty salt', (v) => v.split('$').map((s, i) => (i === 4 ? '' : s)).join('$')],
      ['empty N', (v) => v.split('$').map((s, i) => (i === 1 ? '' : s)).join('$')],
      ['truncated key', (v) => v.slice(0, -10)],
      ['key of another length', (v) => `${v.split('$').slice(0, 5).join('$')}$${Buffer.alloc(64).toString('base64url')}`],
    ];
    it.each(cases)('%s', async (_label, mangle) => {
      valid ||= await hashPassword('pw', CHARGER_PASSWORD_COST);
      await expect(verifyPassword('pw', mangle(valid))).resolves.toBe(false);
    });
  });
});

describe('generateChargerPassword', () => {
  it('is 16 to 40 URL-safe characters', () => {
    for (let i = 0; i < 50; i++) {
      const password = generateChargerPassword();
      expect(password.length).toBeGreaterThanOrEqual(16);
      expect(password.length).toBeLessThanOrEqual(40);
      expect(password).toMatch(/^[A-Za-z0-9_-]+$/);
    }
  });

  it('is random', () => {
    const passwords = new Set(Array.from({ length: 100 }, () => generateChargerPassword()));
    expect(passwords.size).toBe(100);
  });
});

describe('verifyPassword with damaged stored values', () => {
  it.each([
    ['a non-numeric N', 'scrypt$abc$8$1'],
    ['an N that is not a power of two', 'scrypt$1000$8$1'],
    ['a negative N', 'scrypt$-4096$8$1'],
    ['p = 0 (which node would read as its default)', 'scrypt$4096$8$0'],
    ['r = 0', 'scrypt$4096$0$1'],
  ])('returns false, not an exception, for %s', async (_name, prefix) => {
    const good = await hashPassword('some-password-1234', CHARGER_PASSWORD_COST);
    const [, , , , salt, hash] = good.split('$');
    expect(await verifyPassword('some-password-1234', `${prefix}$${salt}$${hash}`)).toBe(false);
  });
});

describe('generated charger secrets: the fast sha256$ format', () => {
  it('stores sha256$ + the base64url SHA-256 of a 32-character random password, and verifies it', async () => {
    const { password, hash } = generateChargerSecret();
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(hash).toBe(`sha256$${createHash('sha256').update(password).digest('base64url')}`);
    expect(await verifyPassword(password, hash)).toBe(true);
    expect(await verifyPassword(Buffer.from(password), hash)).toBe(true);
  });

  it('rejects wrong passwords', async () => {
    const { password, hash } = generateChargerSecret();
    expect(await verifyPassword(password.slice(1), hash)).toBe(false);
    expect(await verifyPassword(`${password}x`, hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
    expect(await verifyPassword(generateChargerSecret().password, hash)).toBe(false);
  });

  it('makes distinct secrets in bulk, each verifying against its own hash only', async () => {
    const secrets = generateChargerSecrets(50);
    expect(new Set(secrets.map((s) => s.password)).size).toBe(50);
    for (const [i, s] of secrets.entries()) {
      expect(await verifyPassword(s.password, s.hash)).toBe(true);
      expect(await verifyPassword(secrets[(i + 1) % 50]!.password, s.hash)).toBe(false);
    }
  });

  it('keeps verifying scrypt hashes next to sha256 ones (existing chargers and chosen passwords)', async () => {
    const chosen = await hashPassword('an-operator-chose-this', CHARGER_PASSWORD_COST);
    const generated = generateChargerSecret();
    expect(chosen.startsWith('scrypt$')).toBe(true);
    expect(await verifyPassword('an-operator-chose-this', chosen)).toBe(true);
    expect(await verifyPassword('an-operator-chose-that', chosen)).toBe(false);
    expect(await verifyPassword(generated.password, generated.hash)).toBe(true);
    expect(await verifyPassword(generated.password, chosen)).toBe(false);
    expect(await verifyPassword('an-operator-chose-this', generated.hash)).toBe(false);
  });

  it.each([
    ['no digest', () => 'sha256$'],
    ['a digest of another length', () => `sha256$${Buffer.alloc(31).toString('base64url')}`],
    ['an extra field', (h: string) => `${h}$x`],
    ['characters outside base64url', (h: string) => `${h.slice(0, -1)}=`],
    ['another scheme name', (h: string) => h.replace(/^sha256/, 'sha512')],
    ['upper-case scheme', (h: string) => h.replace(/^sha256/, 'SHA256')],
  ])('returns false, not an exception, for a stored value with %s', async (_label, mangle) => {
    const { password, hash } = generateChargerSecret();
    expect(await verifyPassword(password, mangle(hash))).toBe(false);
  });
});
