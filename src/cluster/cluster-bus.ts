import { createHash } from 'node:crypto';

/**
 * Fire-and-forget messages between the nodes of a cluster (PostgreSQL LISTEN/NOTIFY, or in-process
 * on PGlite). Like NOTIFY, delivery is at most once: a node that is reconnecting misses what was
 * published meanwhile, so callers must tolerate lost messages (time out, re-read the database).
 */
export interface ClusterBus {
  /** Delivers `message` to every subscriber of `channel` on every node (including this one). */
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is active (LISTEN done); returns an unsubscribe function. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; the margin keeps us clear of it. */
export const MAX_MESSAGE_BYTES = 7900;
/** NAMEDATALEN - 1: PostgreSQL would silently truncate longer identifiers, merging channels. */
export const MAX_CHANNEL_LENGTH = 63;

const CHANNEL_PATTERN = /^[a-z0-9_]+$/;

/** Throws unless `channel` is safe to use as a (quoted) SQL identifier without any escaping. */
export function assertChannel(channel: string): void {
  if (typeof channel !== 'string' || channel.length > MAX_CHANNEL_LENGTH || !CHANNEL_PATTERN.test(channel)) {
    throw new Error(
      `invalid cluster bus channel ${JSON.stringify(channel)}: use 1-${MAX_CHANNEL_LENGTH} lowercase letters, digits or underscores`,
    );
  }
}

export function assertMessage(message: string): void {
  if (typeof message !== 'string') throw new Error('cluster bus message must be a string');
  const bytes = Buffer.byteLength(message, 'utf8');
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new Error(`cluster bus message is ${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES} (PostgreSQL NOTIFY)`);
  }
  // PostgreSQL text cannot hold NUL; refuse it on every backend so PGlite and PostgreSQL agree.
  if (message.includes('\u0000')) throw new Error('cluster bus message must not contain NUL characters');
}

/**
 * A valid channel for `prefix` + a node id such as `node-1234` or `Node.A`: other characters become
 * `_`, and when that (or shortening) changed the id, a hash of the original keeps distinct ids apart.
 */
export function nodeChannel(prefix: string, nodeId: string): string {
  assertChannel(prefix);
  const cleaned = nodeId.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const plain = prefix + cleaned;
  if (cleaned === nodeId && plain.length <= MAX_CHANNEL_LENGTH) return plain;
  const hash = createHash('sha256').update(nodeId).digest('hex').slice(0, 10);
  const room = MAX_CHANNEL_LENGTH - prefix.length - hash.length - 1;
  if (room < 0) throw new Error(`cluster bus channel prefix ${JSON.stringify(prefix)} is too long`);
  const channel = `${prefix}${cleaned.slice(0, room)}_${hash}`;
  assertChannel(channel);
  return channel;
}
