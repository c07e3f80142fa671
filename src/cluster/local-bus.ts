import { assertChannel, assertMessage, type ClusterBus } from './cluster-bus.ts';

interface Subscription {
  handler: (message: string) => void;
}

export interface LocalBusOptions {
  /** Errors thrown by handlers; a throwing handler never stops delivery to the others. */
  onError?: (err: Error) => void;
}

/**
 * The bus of a single process (PGlite). Delivery is asynchronous, as with NOTIFY: a publisher never
 * runs its subscribers' code inside its own call, whichever node it would have landed on.
 */
export function createLocalBus(options: LocalBusOptions = {}): ClusterBus {
  const channels = new Map<string, Set<Subscription>>();
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new Error('cluster bus is closed');
  }

  function deliver(subscriptions: Subscription[], channel: string, message: string): void {
    for (const subscription of subscriptions) {
      // Unsubscribed (or closed) between publish and delivery: LISTEN semantics say nothing more arrives.
      if (closed || !channels.get(channel)?.has(subscription)) continue;
      try {
        subscription.handler(message);
      } catch (err) {
        options.onError?.(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  return {
    async publish(channel, message) {
      assertOpen();
      assertChannel(channel);
      assertMessage(message);
      // Subscribers as of the publish, like NOTIFY reaching the sessions listening at commit.
      const subscriptions = [...(channels.get(channel) ?? [])];
      if (subscriptions.length) setImmediate(() => deliver(subscriptions, channel, message));
    },

    async subscribe(channel, handler) {
      assertOpen();
      assertChannel(channel);
      const subscription: Subscription = { handler };
      let subscriptions = channels.get(channel);
      if (!subscriptions) channels.set(channel, (subscriptions = new Set()));
      subscriptions.add(subscription);
      return async () => {
        const current = channels.get(channel);
        if (!current?.delete(subscription)) return;
        if (current.size === 0) channels.delete(channel);
      };
    },

    async close() {
      closed = true;
      channels.clear();
    },
  };
}
