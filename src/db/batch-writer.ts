/**
 * Group commit for high-rate writes (meter values, status, heartbeats). Callers await `write()`,
 * which resolves only once the batch holding their item has committed, so an OCPP CALLRESULT is
 * never sent for data that could still be lost. While one batch is being written the next one
 * fills up, so throughput does not depend on one database round trip per message.
 */
export interface BatchWriterOptions<T> {
  name: string;
  /** Writes the items durably (in one transaction); throws if none of them could be written. */
  flush: (items: T[]) => Promise<void>;
  maxBatch: number;
  /** How long a lone item waits for company before its batch is flushed. */
  maxDelayMs: number;
  /** Batches written at the same time (1 for PGlite, a few for a PostgreSQL pool). */
  concurrency: number;
  /**
   * What arrives while a batch is written waits maxDelayMs for company too (unless a full batch is
   * ready) instead of going out at once: fewer, larger statements for writes nobody waits on closely.
   */
  paced?: boolean;
  onBatch?: (name: string, size: number, seconds: number) => void;
  onError?: (name: string, err: unknown, size: number) => void;
}

/** The settings a group of writers shares (each adds its name and flush). */
export type WriteBatchOptions = Pick<BatchWriterOptions<unknown>, 'maxBatch' | 'maxDelayMs' | 'concurrency' | 'onBatch' | 'onError'>;

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class BatchWriter<T> {
  private queue: Pending<T>[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private idle: Array<() => void> = [];

  constructor(private readonly options: BatchWriterOptions<T>) {}

  write(item: T): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.options.name} writer is closed`));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Writes whatever is queued and waits for every batch in flight. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0 || this.inFlight > 0) {
      this.drain();
      await new Promise<void>((resolve) => this.idle.push(resolve));
    }
  }

  private schedule(): void {
    if (this.inFlight >= this.options.concurrency) return; // the running batch picks the rest up when done
    if (this.queue.length >= this.options.maxBatch) {
      this.drain();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, this.options.maxDelayMs);
    }
  }

  private drain(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.concurrency) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.writeBatch(batch).finally(() => {
        this.inFlight--;
        if (this.queue.length > 0) {
          if (this.options.paced && !this.closed) this.schedule();
          else this.drain();
        }
        if (this.queue.length === 0 && this.inFlight === 0) this.idle.splice(0).forEach((r) => r());
      });
    }
  }

  private async writeBatch(batch: Pending<T>[]): Promise<void> {
    const started = performance.now();
    try {
      await this.options.flush(batch.map((p) => p.item));
    } catch (err) {
      this.report(() => this.options.onError?.(this.options.name, err, batch.length));
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      // One bad item must not fail its neighbours: write each on its own (one at a time, within this
      // batch's concurrency slot) so only the culprit fails.
      for (const p of batch) await this.writeBatch([p]);
      return;
    }
    this.report(() => this.options.onBatch?.(this.options.name, batch.length, (performance.now() - started) / 1000));
    for (const p of batch) p.resolve();
  }

  /** Metrics and logging callbacks must never turn a committed batch into a failed one. */
  private report(callback: () => void): void {
    try {
      callback();
    } catch {
      // ignored on purpose: the data is committed either way
    }
  }
}
