import { describe, expect, it } from 'vitest';
import {
  digestOf, generateKeyPair, parseSignatureHeader, publicKeyOf, SignatureHeaderError, signingString, signRequest, verifyRequest,
} from '../../src/beckn/signature.ts';

// The worked example of BECKN-006 ("Signing Beckn APIs in HTTP", beckn/protocol-specifications,
// docs/BECKN-006-Signing-Beckn-APIs-In-HTTP-Draft-01.md, step 1): ed25519 is deterministic, so the
// same key, body and window must give the very same signature.
const VECTOR = {
  body:
    '{"context":{"domain":"nic2004:60212","country":"IND","city":"Kochi","action":"search","core_version":"0.9.1",' +
    '"bap_id":"bap.stayhalo.in","bap_uri":"https://8f9f-49-207-209-131.ngrok.io/protocol/",' +
    '"transaction_id":"e6d9f908-1d26-4ff3-a6d1-3af3d3721054","message_id":"a2fe6d52-9fe4-4d1a-9d0b-dccb8b48522d",' +
    '"timestamp":"2022-01-04T09:17:55.971Z","ttl":"P1M"},"message":{"intent":{"fulfillment":{"start":{"location":' +
    '{"gps":"10.108768, 76.347517"}},"end":{"location":{"gps":"10.102997, 76.353480"}}}}}}',
  publicKey: 'awGPjRK6i/Vg/lWr+0xObclVxlwZXvTjWYtlu6NeOHk=',
  // libsodium's 64-byte secret key (seed ‖ public key); our tables keep the 32-byte seed, its first half.
  secretKey64: 'lP3sHA+9gileOkXYJXh4Jg8tK0gEEMbf9yCPnFpbldhrAY+NErqL9WD+Vav7TE5tyVXGXBle9ONZi2W7o144eQ==',
  created: 1641287875,
  expires: 1641291475,
  digest: 'BLAKE-512=b6lf6lRgOweajukcvcLsagQ2T60+85kRh/Rd2bdS+TG/5ALebOEgDJfyCrre/1+BMu5nA94o4DT3pTFXuUg7sw==',
  signature: 'cjbhP0PFyrlSCNszJM1F/YmHDVAWsZqJUPzojnE/7TJU3fJ/rmIlgaUHEr5E0/2PIyf0tpSnWtT6cyNNlpmoAQ==',
  header:
    'Signature keyId="example-bap.com|ae3ea24b-cfec-495e-81f8-044aaef164ac|ed25519",algorithm="ed25519",' +
    'created="1641287875",expires="1641291475",headers="(created) (expires) digest",' +
    'signature="cjbhP0PFyrlSCNszJM1F/YmHDVAWsZqJUPzojnE/7TJU3fJ/rmIlgaUHEr5E0/2PIyf0tpSnWtT6cyNNlpmoAQ=="',
};
const seed = Buffer.from(VECTOR.secretKey64, 'base64').subarray(0, 32).toString('base64');
const insideWindow = new Date((VECTOR.created + 60) * 1000);

describe('BECKN-006 test vector', () => {
  it('digests the body with BLAKE2b-512', () => {
    expect(digestOf(VECTOR.body)).toBe(VECTOR.digest);
    expect(digestOf(Buffer.from(VECTOR.body))).toBe(VECTOR.digest);
    // RFC 7693's / the spec's own example of the hash.
    expect(digestOf('The quick brown fox jumps over the lazy dog')).toBe(
      'BLAKE-512=qK3Uvd39k+SHfSdG5igXsRY2Sh+nvBSNlQkLxzM7NnP4JAHPeqLkyx7NkCluPxTLVBP47Xe+cwRbE5FM3NapGA==',
    );
  });

  it('builds the signing string', () => {
    expect(signingString(VECTOR.created, VECTOR.expires, VECTOR.digest)).toBe(
      `(created): 1641287875\n(expires): 1641291475\ndigest: ${VECTOR.digest}`,
    );
  });

  it('derives the public key from the seed', () => {
    expect(publicKeyOf(seed)).toBe(VECTOR.publicKey);
    expect(publicKeyOf(VECTOR.secretKey64)).toBe(VECTOR.publicKey);
  });

  it('produces exactly the expected header', () => {
    const header = signRequest({
      body: VECTOR.body,
      subscriberId: 'example-bap.com',
      keyId: 'ae3ea24b-cfec-495e-81f8-044aaef164ac',
      privateKey: seed,
      created: VECTOR.created,
      expires: VECTOR.expires,
    });
    expect(header).toBe(VECTOR.header);
  });

  it('verifies the spec header inside its window', () => {
    const result = verifyRequest({ header: VECTOR.header, body: VECTOR.body, publicKey: VECTOR.publicKey, now: insideWindow });
    expect(result).toMatchObject({ ok: true, signature: { subscriberId: 'example-bap.com', signature: VECTOR.signature } });
  });
});

describe('verifyRequest', () => {
  const keys = generateKeyPair();
  const body = '{"context":{"action":"search"},"message":{}}';
  const now = new Date('2026-12-01T10:00:00Z');
  const created = Math.floor(now.getTime() / 1000);
  const header = signRequest({ body, subscriberId: 'bap.example', keyId: 'k1', privateKey: keys.privateKey, created });
  const check = (overrides: Partial<Parameters<typeof verifyRequest>[0]>) =>
    verifyRequest({ header, body, publicKey: keys.publicKey, now, ...overrides });

  it('accepts a fresh signature and defaults expires to created + 300 s', () => {
    const result = check({});
    expect(result).toMatchObject({ ok: true, signature: { subscriberId: 'bap.example', keyId: 'k1', created, expires: created + 300 } });
  });

  it('rejects a tampered body', () => {
    expect(check({ body: body.replace('search', 'select') })).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(check({ body: `${body} ` })).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('rejects another key', () => {
    expect(check({ publicKey: generateKeyPair().publicKey })).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(check({ publicKey: 'bm90IGEga2V5' })).toMatchObject({ ok: false, reason: 'invalid_key' });
  });

  it('rejects a tampered window (the signature covers created and expires)', () => {
    const stretched = header.replace(`expires="${created + 300}"`, `expires="${created + 3000}"`);
    expect(check({ header: stretched })).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('is strict about the window, with 5 s of clock skew', () => {
    const at = (seconds: number) => new Date((created + seconds) * 1000);
    expect(check({ now: at(300) }).ok).toBe(true);
    expect(check({ now: at(305) }).ok).toBe(true);
    expect(check({ now: at(306) })).toMatchObject({ ok: false, reason: 'expired' });
    expect(check({ now: at(-5) }).ok).toBe(true);
    expect(check({ now: at(-6) })).toMatchObject({ ok: false, reason: 'not_yet_valid' });
  });

  it('accepts a DER (SPKI) public key as some registries hand out', () => {
    const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(keys.publicKey, 'base64')]);
    expect(check({ publicKey: der.toString('base64') }).ok).toBe(true);
  });

  it('reports a missing or malformed header', () => {
    expect(check({ header: undefined })).toMatchObject({ ok: false, reason: 'malformed' });
    expect(check({ header: 'Bearer abc' })).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('parseSignatureHeader', () => {
  const valid = VECTOR.header;
  const reasonOf = (header: string): string => {
    try {
      parseSignatureHeader(header);
    } catch (err) {
      expect(err).toBeInstanceOf(SignatureHeaderError);
      return (err as SignatureHeaderError).reason;
    }
    return 'parsed';
  };

  it('reads the parameters, with or without spaces after commas', () => {
    expect(parseSignatureHeader(valid)).toEqual({
      subscriberId: 'example-bap.com',
      keyId: 'ae3ea24b-cfec-495e-81f8-044aaef164ac',
      algorithm: 'ed25519',
      created: VECTOR.created,
      expires: VECTOR.expires,
      headers: '(created) (expires) digest',
      signature: VECTOR.signature,
    });
    expect(parseSignatureHeader(valid.replaceAll('",', '", ')).keyId).toBe('ae3ea24b-cfec-495e-81f8-044aaef164ac');
    expect(parseSignatureHeader(valid.replace('created="1641287875"', 'created=1641287875')).created).toBe(VECTOR.created);
  });

  it.each([
    ['no scheme', valid.replace('Signature ', '')],
    ['another scheme', valid.replace('Signature ', 'Basic ')],
    ['a missing parameter', valid.replace(/,headers="[^"]*"/, '')],
    ['a parameter given twice', `${valid},created="1641287875"`],
    ['garbage between parameters', valid.replace(',algorithm', ' x ,algorithm')],
    ['a keyId of two parts', valid.replace('example-bap.com|', '')],
    ['a keyId with an empty part', valid.replace('example-bap.com', '')],
    ['algorithms that differ', valid.replace('|ed25519"', '|rsa-sha256"')],
    ['a non-integer created', valid.replace('created="1641287875"', 'created="1641287875.5"')],
    ['expires before created', valid.replace('expires="1641291475"', 'expires="1641287874"')],
    ['other signed headers', valid.replace('(created) (expires) digest', '(created) digest')],
    ['a short signature', valid.replace(VECTOR.signature, 'c2hvcnQ=')],
    ['a non-base64 signature', valid.replace(VECTOR.signature, `${VECTOR.signature.slice(0, -2)}!!`)],
  ])('refuses %s as malformed', (_name, header) => {
    expect(reasonOf(header)).toBe('malformed');
  });

  it('refuses an algorithm other than ed25519', () => {
    const rsa = valid.replace('|ed25519"', '|rsa-sha256"').replace('algorithm="ed25519"', 'algorithm="rsa-sha256"');
    expect(reasonOf(rsa)).toBe('unsupported_algorithm');
  });
});
