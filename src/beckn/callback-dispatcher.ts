import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import * as becknMessageRepository from './beckn-message.repository.ts';
import type { BecknCallbackRow } from './beckn-message.repository.ts';

/**
 * Delivers the on_* callbacks we owe. They live in beckn_callback from the moment a request is
 * acknowledged, so a crash or a restart loses none: any node claims due ones (a lease, then retries
 * with doubling delays), builds a body not built yet, signs it fresh and POSTs it to bap_uri.
 */
export interface CallbackDispatcher {
  /** Look for due callbacks now (after an ACK) instead of at the next tick. */
  kick(): void;
  close(): Promise<void>;
}

export interface DispatcherDeps {
  db: Database;
  log: Logger;
  /**
   * The body of a callback whose request was acknowledged but not yet answered; undefined when the
   * answer is sent later by itself (a confirm waiting for its payment).
   */
  buildBody(callback: BecknCallbackRow): Promise<unknown>;
  /** The Authorization header for a body (undefined when signing is off). */
  sign(body: string): string | undefined;
  /** Runs each tick before delivery: unsolicited callbacks (state changes nobody asked about). */
  beforeDelivery?: () => Promise<void>;
  intervalMs: number;
  maxAttempts: number;
  retryMs: number;
  fetch?: typeof fetch;
  now?: () => Date;
}

const BATCH = 20;
/** Longer than building a body may take (an update waits for the charger) plus a delivery. */
const LEASE_MS = 60_000;
const MAX_RETRY_MS = 10 * 60_000;
const TIMEOUT_MS = 10_000;

export function startCallbackDispatcher(deps: DispatcherDeps): CallbackDispatcher {
  const now = deps.now ?? (() => new Date());
  const doFetch = deps.fetch ?? fetch;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const tick = async () => {
    if (deps.beforeDelivery) await deps.beforeDelivery();
    for (;;) {
      const due = await becknMessageRepository.claimDue(deps.db, now(), LEASE_MS, BATCH);
      if (due.length === 0) return;
      await Promise.all(due.map((callback) => deliver(callback)));
      if (closed) return;
    }
  };

  async function deliver(callback: BecknCallbackRow): Promise<void> {
    let httpStatus: number | null = null;
    try {
      let body = callback.body;
      if (body === null) {
        body = await deps.buildBody(callback);
        if (body === undefined) {
          await becknMessageRepository.markSuperseded(deps.db, callback.id);
          return;
        }
        await becknMessageRepository.setBody(deps.db, callback.id, body);
      }
      const text = JSON.stringify(body);
      const authorization = deps.sign(text);
      const res = await doFetch(`${callback.bapUri.replace(/\/+$/, '')}/${callback.action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: text,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      httpStatus = res.status;
      const answer = (await res.json().catch(() => undefined)) as { message?: { ack?: { status?: string } } } | undefined;
      if (res.ok && answer?.message?.ack?.status === 'ACK') {
        await becknMessageRepository.markDelivered(deps.db, callback.id, res.status, now());
        return;
      }
      throw new Error(`BAP answered ${res.status} ${answer?.message?.ack?.status ?? 'without an ACK'}`);
    } catch (err) {
      const attempt = callback.attempts + 1;
      const last = attempt >= deps.maxAttempts;
      const delay = Math.min(MAX_RETRY_MS, deps.retryMs * 2 ** (attempt - 1));
      deps.log[last ? 'error' : 'warn']({ err, callbackId: callback.id, action: callback.action, attempt }, last ? 'callback given up' : 'callback failed; retrying');
      await becknMessageRepository.markAttemptFailed(deps.db, callback.id, {
        error: err instanceof Error ? err.message : String(err),
        httpStatus,
        nextAttemptAt: last ? null : new Date(now().getTime() + delay),
      });
    }
  }

  const run = () => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = tick()
      .catch((err) => deps.log.error({ err }, 'callback dispatch failed'))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const timer = setInterval(run, deps.intervalMs).unref();
  return {
    kick: run,
    close: async () => {
      closed = true;
      clearInterval(timer);
      await running;
    },
  };
}
