/** One subscriber of a bus channel. */
export interface Subscription {
  handler: (message: string) => void;
}

/**
 * The subscribers of each channel on one node, shared by both buses: the bookkeeping and the
 * delivery rule (a throwing handler is reported and never stops delivery to the others).
 */
export class Subscriptions {
  private readonly channels = new Map<string, Set<Subscription>>();

  constructor(private readonly report: (err: Error) => void) {}

  add(channel: string, handler: (message: string) => void): Subscription {
    const subscription: Subscription = { handler };
    let set = this.channels.get(channel);
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(subscription);
    return subscription;
  }

  /** Removes a subscription; 'last' when the channel has no subscribers left (time to UNLISTEN). */
  remove(channel: string, subscription: Subscription): 'absent' | 'remaining' | 'last' {
    const set = this.channels.get(channel);
    if (!set?.delete(subscription)) return 'absent';
    if (set.size > 0) return 'remaining';
    this.channels.delete(channel);
    return 'last';
  }

  /** The channel's subscribers now (a snapshot: later changes do not affect it). */
  of(channel: string): Subscription[] {
    return [...(this.channels.get(channel) ?? [])];
  }

  isSubscribed(channel: string, subscription: Subscription): boolean {
    return this.channels.get(channel)?.has(subscription) ?? false;
  }

  hasChannel(channel: string): boolean {
    return this.channels.has(channel);
  }

  channelNames(): string[] {
    return [...this.channels.keys()];
  }

  clear(): void {
    this.channels.clear();
  }

  deliver(subscriptions: readonly Subscription[], message: string, stillWanted: (s: Subscription) => boolean = () => true): void {
    for (const subscription of subscriptions) {
      if (!stillWanted(subscription)) continue;
      try {
        subscription.handler(message);
      } catch (err) {
        this.report(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }
}
