import { assertChannel, assertMessage, type ClusterBus } from './cluster-bus.ts';
import { Subscriptions } from './subscriptions.ts';

export interface LocalBusOptions {
  /** Errors thrown by handlers; a throwing handler never stops delivery to the others. */
  onError?: (err: Error) => void;
}

/**
 * The bus of a single process (PGlite). Delivery is asynchronous, as with NOTIFY: a publisher never
 * runs its subscribers' code inside its own call, whichever node it would have landed on.
 */
export function createLocalBus(options: LocalBusOptions = {}): ClusterBus {
  const channels = new Subscriptions((err) => options.onError?.(err));
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new Error('cluster bus is closed');
  }

  return {
    async publish(channel, message) {
      assertOpen();
      assertChannel(channel);
      assertMessage(message);
      // Subscribers as of the publish, like NOTIFY reaching the sessions listening at commit.
      const subscriptions = channels.of(channel);
      // Unsubscribed (or closed) between publish and delivery: LISTEN semantics say nothing more arrives.
      const stillWanted = (s: (typeof subscriptions)[number]) => !closed && channels.isSubscribed(channel, s);
      if (subscriptions.length) setImmediate(() => channels.deliver(subscriptions, message, stillWanted));
    },

    async subscribe(channel, handler) {
      assertOpen();
      assertChannel(channel);
      const subscription = channels.add(channel, handler);
      return async () => {
        channels.remove(channel, subscription);
      };
    },

    async close() {
      closed = true;
      channels.clear();
    },
  };
}
