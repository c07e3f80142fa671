import { describe, expect, it } from 'vitest';
import { judgeIdTag, type StoredIdTag } from '../../src/id-tags/id-tag.rules.ts';

const NOW = new Date('2024-06-01T12:00:00.000Z');
const PAST = new Date('2024-05-31T12:00:00.000Z');
const FUTURE = new Date('2024-12-31T23:59:59.000Z');

const tag = (overrides: Partial<StoredIdTag> = {}): StoredIdTag => ({
  idTag: 'CARD-1',
  status: 'Accepted',
  expiryDate: null,
  parentIdTag: null,
  ...overrides,
});
const group = (overrides: Partial<StoredIdTag> = {}): StoredIdTag =>
  tag({ idTag: 'FLEET', ...overrides });

describe('judgeIdTag', () => {
  it('answers Invalid for an unknown tag', () => {
    expect(judgeIdTag(undefined, undefined, false, NOW)).toEqual({ status: 'Invalid', expiryDate: null, parentIdTag: null });
  });

  it('answers Invalid for an unknown tag even with an active transaction or a parent', () => {
    expect(judgeIdTag(undefined, group(), true, NOW)).toEqual({ status: 'Invalid', expiryDate: null, parentIdTag: null });
  });

  it('accepts a known tag with no expiry', () => {
    expect(judgeIdTag(tag(), undefined, false, NOW)).toEqual({ status: 'Accepted', expiryDate: null, parentIdTag: null });
  });

  it.each(['Blocked', 'Expired', 'Invalid'] as const)('answers %s for a tag stored with that status', (status) => {
    expect(judgeIdTag(tag({ status, parentIdTag: 'FLEET', expiryDate: FUTURE }), undefined, false, NOW)).toEqual({
      status,
      expiryDate: FUTURE,
      parentIdTag: 'FLEET',
    });
  });

  it('answers Expired when the expiry date is in the past', () => {
    expect(judgeIdTag(tag({ expiryDate: PAST }), undefined, false, NOW)).toEqual({
      status: 'Expired',
      expiryDate: PAST,
      parentIdTag: null,
    });
  });

  it('answers Expired when the expiry date is exactly now', () => {
    expect(judgeIdTag(tag({ expiryDate: new Date(NOW.getTime()) }), undefined, false, NOW).status).toBe('Expired');
  });

  it('accepts a tag expiring in the future and returns its expiry date', () => {
    const verdict = judgeIdTag(tag({ expiryDate: FUTURE, parentIdTag: 'FLEET' }), undefined, false, NOW);
    expect(verdict).toEqual({ status: 'Accepted', expiryDate: FUTURE, parentIdTag: 'FLEET' });
  });

  it('accepts a tag expiring one millisecond from now', () => {
    expect(judgeIdTag(tag({ expiryDate: new Date(NOW.getTime() + 1) }), undefined, false, NOW).status).toBe('Accepted');
  });

  it('gives the child Blocked when the parent is blocked', () => {
    expect(judgeIdTag(tag({ parentIdTag: 'FLEET' }), group({ status: 'Blocked' }), false, NOW)).toEqual({
      status: 'Blocked',
      expiryDate: null,
      parentIdTag: 'FLEET',
    });
  });

  it('gives the child Expired when the parent has status Expired', () => {
    expect(judgeIdTag(tag({ parentIdTag: 'FLEET' }), group({ status: 'Expired' }), false, NOW).status).toBe('Expired');
  });

  it('gives the child Expired when the parent is past its expiry date, keeping the child expiry', () => {
    expect(
      judgeIdTag(tag({ parentIdTag: 'FLEET', expiryDate: FUTURE }), group({ expiryDate: PAST }), false, NOW),
    ).toEqual({ status: 'Expired', expiryDate: FUTURE, parentIdTag: 'FLEET' });
  });

  it('accepts the child when the parent is accepted or only Invalid', () => {
    expect(judgeIdTag(tag({ parentIdTag: 'FLEET' }), group({ expiryDate: FUTURE }), false, NOW).status).toBe('Accepted');
    expect(judgeIdTag(tag({ parentIdTag: 'FLEET' }), group({ status: 'Invalid' }), false, NOW).status).toBe('Accepted');
  });

  it('answers ConcurrentTx for an accepted tag with an active transaction', () => {
    expect(judgeIdTag(tag({ expiryDate: FUTURE }), undefined, true, NOW)).toEqual({
      status: 'ConcurrentTx',
      expiryDate: FUTURE,
      parentIdTag: null,
    });
  });

  it.each([
    ['Blocked', tag({ status: 'Blocked' })],
    ['Expired', tag({ status: 'Expired' })],
    ['Invalid', tag({ status: 'Invalid' })],
    ['Expired', tag({ expiryDate: PAST })],
  ] as const)('lets the tag own status %s win over ConcurrentTx', (expected, stored) => {
    expect(judgeIdTag(stored, undefined, true, NOW).status).toBe(expected);
  });

  it('lets a blocked parent win over ConcurrentTx', () => {
    expect(judgeIdTag(tag({ parentIdTag: 'FLEET' }), group({ status: 'Blocked' }), true, NOW).status).toBe('Blocked');
  });

  it('lets the child own status win over the parent status', () => {
    expect(judgeIdTag(tag({ status: 'Blocked' }), group({ status: 'Expired' }), false, NOW).status).toBe('Blocked');
  });

  it('judges against the given clock, not the wall clock', () => {
    const expiry = new Date('2030-01-01T00:00:00.000Z');
    expect(judgeIdTag(tag({ expiryDate: expiry }), undefined, false, new Date('2029-12-31T23:59:59.999Z')).status).toBe('Accepted');
    expect(judgeIdTag(tag({ expiryDate: expiry }), undefined, false, new Date('2030-01-01T00:00:00.001Z')).status).toBe('Expired');
  });
});
