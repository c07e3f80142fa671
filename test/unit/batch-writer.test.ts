import { afterEach, describe, expect, it } from 'vitest';
import { BatchWriter, type BatchWriterOptions } from '../../src/db/batch-writer.ts';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls (with real timers) until the condition holds; fails the test after ~2 s. */
async function until(condition: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await sleep(5);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Tracks whether a promise has settled, and how. */
function track(p: Promise<void>) {
  const state: { settled: boolean; status: 'pending' | 'fulfilled' | 'rejected'; error?: unknown } = {
    settled: false,
    status: 'pending',
  };
  p.then(
    () => Object.assign(state, { settled: true, status: 'fulfilled' }),
    (error: unknown) => Object.assign(state, { settled: true, status: 'rejected', error }),
  );
  return state;
}

const writers: BatchWriter<unknown>[] = [];

function makeWriter<T>(options: Partial<BatchWriterOptions<T>> & Pick<BatchWriterOptions<T>, 'flush'>): BatchWriter<T> {
  const writer = new BatchWriter<T>({ name: 'test', maxBatch: 10, maxDelayMs: 1, concurrency: 1, ...options });
  writers.push(writer as BatchWriter<unknown>);
  return writer;
}

afterEach(async () => {
  // Leave no timers or batches behind; flushes of finished tests resolve (their deferreds were settled).
  await Promise.all(writers.splice(0).map((w) => w.close().catch(() => undefined)));
});

describe('BatchWriter batching', () => {
  it('writes every item, in order, in batches no larger than maxBatch', async () => {
    const batches: number[][] = [];
    const writer = makeWriter<number>({
      maxBatch: 3,
      maxDelayMs: 2,
      flush: async (items) => {
        batches.push([...items]);
        await sleep(1);
      },
    });
    const items = Array.from({ length: 10 }, (_, i) => i);
    await Promise.all(items.map((i) => writer.write(i)));
    expect(batches.flat()).toEqual(items);
    expect(batches.length).toBeGreaterThanOrEqual(4);
    for (const b of batches) {
      expect(b.length).toBeGreaterThan(0);
      expect(b.length).toBeLessThanOrEqual(3);
    }
  });

  it('groups items written together into one batch', async () => {
    const batches: string[][] = [];
    const writer = makeWriter<string>({
      maxBatch: 100,
      maxDelayMs: 5,
      flush: async (items) => {
        batches.push([...items]);
      },
    });
    await Promise.all(['a', 'b', 'c', 'd'].map((s) => writer.write(s)));
    expect(batches).toEqual([['a', 'b', 'c', 'd']]);
  });

  it('flushes a full batch at once without waiting for maxDelayMs', async () => {
    const batches: number[][] = [];
    // A delay longer than the test timeout: only the maxBatch trigger can get these written.
    const writer = makeWriter<number>({
      maxBatch: 2,
      maxDelayMs: 600_000,
      flush: async (items) => {
        batches.push([...items]);
      },
    });
    await Promise.all([writer.write(1), writer.write(2)]);
    expect(batches).toEqual([[1, 2]]);
  });

  it('write() resolves only after the flush holding the item has completed', async () => {
    const gate = deferred();
    let flushCalls = 0;
    let flushFinished = false;
    const writer = makeWriter<string>({
      maxDelayMs: 0,
      flush: async () => {
        flushCalls++;
        await gate.promise;
        flushFinished = true;
      },
    });
    const result = track(writer.write('x'));
    await until(() => flushCalls === 1, 'flush to start');
    await sleep(10);
    expect(result.settled).toBe(false);
    expect(flushFinished).toBe(false);
    gate.resolve();
    await until(() => result.settled, 'write to settle');
    expect(result.status).toBe('fulfilled');
    expect(flushFinished).toBe(true);
  });

  it('queues items written while a batch is in flight and writes them in the next batch', async () => {
    const gates: Deferred[] = [];
    const batches: string[][] = [];
    const writer = makeWriter<string>({
      maxDelayMs: 0,
      concurrency: 1,
      flush: async (items) => {
        batches.push([...items]);
        const gate = deferred();
        gates.push(gate);
        await gate.promise;
      },
    });
    const first = track(writer.write('a'));
    await until(() => gates.length === 1, 'first flush');
    const second = [track(writer.write('b')), track(writer.write('c'))];
    await sleep(10);
    expect(writer.pending).toBe(2);
    expect(batches).toEqual([['a']]);
    gates[0]!.resolve();
    await until(() => gates.length === 2, 'second flush');
    expect(first.status).toBe('fulfilled');
    expect(second.map((s) => s.settled)).toEqual([false, false]);
    expect(batches).toEqual([['a'], ['b', 'c']]);
    expect(writer.pending).toBe(0);
    gates[1]!.resolve();
    await until(() => second.every((s) => s.settled), 'second batch');
    expect(second.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
  });

  it('paced: what arrives during a batch waits maxDelayMs for company before the next batch', async () => {
    const gates: Deferred[] = [];
    const batches: string[][] = [];
    const writer = makeWriter<string>({
      maxDelayMs: 60,
      paced: true,
      flush: async (items) => {
        batches.push([...items]);
        const gate = deferred();
        gates.push(gate);
        await gate.promise;
      },
    });
    void writer.write('a');
    await until(() => gates.length === 1, 'first flush');
    void writer.write('b');
    gates[0]!.resolve();
    await sleep(20);
    expect(batches).toEqual([['a']]); // unpaced, 'b' would be out already
    void writer.write('c');
    await until(() => gates.length === 2, 'second flush');
    expect(batches).toEqual([['a'], ['b', 'c']]);
    gates[1]!.resolve();
  });

  it('reports the number of queued items in pending', async () => {
    const gate = deferred();
    let calls = 0;
    const writer = makeWriter<number>({
      maxDelayMs: 0,
      flush: async () => {
        calls++;
        await gate.promise;
      },
    });
    expect(writer.pending).toBe(0);
    const p = writer.write(1);
    expect(writer.pending).toBe(1);
    await until(() => calls === 1, 'flush');
    expect(writer.pending).toBe(0);
    const q = writer.write(2);
    const r = writer.write(3);
    expect(writer.pending).toBe(2);
    gate.resolve();
    await Promise.all([p, q, r]);
    expect(writer.pending).toBe(0);
  });
});

describe('BatchWriter concurrency', () => {
  it.each([1, 2, 3])('never runs more than %i flushes at the same time', async (concurrency) => {
    let running = 0;
    let maxRunning = 0;
    let batches = 0;
    const writer = makeWriter<number>({
      maxBatch: 2,
      maxDelayMs: 0,
      concurrency,
      flush: async () => {
        running++;
        batches++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(3);
        running--;
      },
    });
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer.write(i)));
    expect(maxRunning).toBe(concurrency);
    expect(batches).toBeGreaterThanOrEqual(10);
    expect(running).toBe(0);
  });

  it('starts the next batch only when a running one finishes', async () => {
    const gates: Deferred[] = [];
    const batches: number[][] = [];
    const writer = makeWriter<number>({
      maxBatch: 1,
      maxDelayMs: 0,
      concurrency: 2,
      flush: async (items) => {
        batches.push([...items]);
        const gate = deferred();
        gates.push(gate);
        await gate.promise;
      },
    });
    const results = [1, 2, 3, 4].map((i) => track(writer.write(i)));
    await until(() => gates.length === 2, 'two flushes');
    await sleep(10);
    expect(gates).toHaveLength(2);
    expect(writer.pending).toBe(2);
    gates[0]!.resolve();
    await until(() => gates.length === 3, 'third flush');
    await sleep(10);
    expect(gates).toHaveLength(3);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'pending', 'pending', 'pending']);
    gates[1]!.resolve();
    gates[2]!.resolve();
    await until(() => gates.length === 4, 'fourth flush');
    gates[3]!.resolve();
    await until(() => results.every((r) => r.settled), 'all writes');
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(batches).toEqual([[1], [2], [3], [4]]);
  });
});

describe('BatchWriter failures', () => {
  it('retries a failed batch item by item so only the bad item rejects', async () => {
    const calls: string[][] = [];
    const boom = new Error('bad row');
    const writer = makeWriter<string>({
      maxDelayMs: 5,
      flush: async (items) => {
        calls.push([...items]);
        if (items.includes('bad')) throw boom;
      },
    });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((s) => writer.write(s)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBe(boom);
    expect(calls[0]).toEqual(['a', 'bad', 'c']);
    expect(calls.slice(1).sort()).toEqual([['a'], ['bad'], ['c']]);
    expect(calls).toHaveLength(4);
  });

  it('rejects every item when each of them fails on its own', async () => {
    const writer = makeWriter<number>({
      maxDelayMs: 5,
      flush: async (items) => {
        throw new Error(`failed ${items.join(',')}`);
      },
    });
    const results = await Promise.allSettled([writer.write(1), writer.write(2)]);
    expect(results.map((r) => (r as PromiseRejectedResult).reason.message)).toEqual(['failed 1', 'failed 2']);
  });

  it('does not retry a failed batch of one', async () => {
    let calls = 0;
    const writer = makeWriter<number>({
      maxDelayMs: 0,
      flush: async () => {
        calls++;
        throw new Error('nope');
      },
    });
    await expect(writer.write(1)).rejects.toThrow('nope');
    expect(calls).toBe(1);
  });

  it('keeps working after a failed batch', async () => {
    let fail = true;
    const written: number[] = [];
    const writer = makeWriter<number>({
      maxDelayMs: 0,
      flush: async (items) => {
        if (fail) throw new Error('down');
        written.push(...items);
      },
    });
    await expect(writer.write(1)).rejects.toThrow('down');
    fail = false;
    await writer.write(2);
    expect(written).toEqual([2]);
  });
});

describe('BatchWriter callbacks', () => {
  it('calls onBatch with the writer name, batch size and a duration in seconds', async () => {
    const onBatch: Array<[string, number, number]> = [];
    const writer = makeWriter<number>({
      name: 'meter',
      maxBatch: 3,
      maxDelayMs: 2,
      flush: async () => undefined,
      onBatch: (name, size, seconds) => onBatch.push([name, size, seconds]),
    });
    await Promise.all([1, 2, 3, 4, 5].map((i) => writer.write(i)));
    expect(onBatch.map(([name]) => name)).toEqual(onBatch.map(() => 'meter'));
    expect(onBatch.reduce((n, [, size]) => n + size, 0)).toBe(5);
    expect(onBatch[0]![1]).toBe(3);
    for (const [, , seconds] of onBatch) {
      expect(seconds).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(seconds)).toBe(true);
    }
  });

  it('calls onError with the batch size for the batch and for each failed retry', async () => {
    const onError: Array<[string, unknown, number]> = [];
    const onBatch: Array<[string, number]> = [];
    const boom = new Error('constraint');
    const writer = makeWriter<string>({
      name: 'status',
      maxDelayMs: 5,
      flush: async (items) => {
        if (items.includes('bad')) throw boom;
      },
      onBatch: (name, size) => onBatch.push([name, size]),
      onError: (name, err, size) => onError.push([name, err, size]),
    });
    await Promise.allSettled(['ok1', 'bad', 'ok2', 'ok3'].map((s) => writer.write(s)));
    expect(onError).toEqual([
      ['status', boom, 4],
      ['status', boom, 1],
    ]);
    expect(onBatch).toEqual([
      ['status', 1],
      ['status', 1],
      ['status', 1],
    ]);
  });

  it('does not call onError when every batch succeeds', async () => {
    const onError: unknown[] = [];
    const writer = makeWriter<number>({
      maxDelayMs: 0,
      flush: async () => undefined,
      onError: (...args) => onError.push(args),
    });
    await writer.write(1);
    expect(onError).toEqual([]);
  });
});

describe('BatchWriter close', () => {
  it('flushes everything still queued', async () => {
    const written: number[] = [];
    const writer = makeWriter<number>({
      maxBatch: 4,
      maxDelayMs: 5,
      flush: async (items) => {
        await sleep(1);
        written.push(...items);
      },
    });
    const results = Array.from({ length: 10 }, (_, i) => track(writer.write(i)));
    await writer.close();
    expect(written).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(writer.pending).toBe(0);
    // Every write settled before close() returned.
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
  });

  it('flushes queued items without waiting for the batch delay', async () => {
    const written: number[] = [];
    const writer = makeWriter<number>({
      maxDelayMs: 600_000,
      flush: async (items) => {
        written.push(...items);
      },
    });
    const p = writer.write(1);
    await writer.close();
    await p;
    expect(written).toEqual([1]);
  });

  it('waits for batches in flight', async () => {
    const gate = deferred();
    let calls = 0;
    const writer = makeWriter<number>({
      maxDelayMs: 0,
      flush: async () => {
        calls++;
        await gate.promise;
      },
    });
    const write = track(writer.write(1));
    await until(() => calls === 1, 'flush');
    const closed = track(writer.close());
    await sleep(10);
    expect(closed.settled).toBe(false);
    expect(write.settled).toBe(false);
    gate.resolve();
    await until(() => closed.settled, 'close');
    expect(closed.status).toBe('fulfilled');
    expect(write.status).toBe('fulfilled');
  });

  it('writes items queued behind a running batch before it resolves', async () => {
    const gate = deferred();
    const batches: number[][] = [];
    const writer = makeWriter<number>({
      maxDelayMs: 0,
      concurrency: 1,
      flush: async (items) => {
        batches.push([...items]);
        if (batches.length === 1) await gate.promise;
      },
    });
    const first = writer.write(1);
    await until(() => batches.length === 1, 'first flush');
    const rest = [writer.write(2), writer.write(3)];
    const closed = writer.close();
    gate.resolve();
    await closed;
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('rejects writes after close without flushing them', async () => {
    const written: string[] = [];
    const writer = makeWriter<string>({
      name: 'heartbeat',
      maxDelayMs: 0,
      flush: async (items) => {
        written.push(...items);
      },
    });
    await writer.write('before');
    await writer.close();
    await expect(writer.write('after')).rejects.toThrow('heartbeat writer is closed');
    await sleep(10);
    expect(written).toEqual(['before']);
    expect(writer.pending).toBe(0);
  });

  it('resolves at once on an idle writer and can be called twice', async () => {
    let calls = 0;
    const writer = makeWriter<number>({
      flush: async () => {
        calls++;
      },
    });
    await writer.close();
    await writer.close();
    expect(calls).toBe(0);
  });

  it('still resolves when the pending batch fails', async () => {
    const writer = makeWriter<number>({
      maxDelayMs: 5,
      flush: async () => {
        throw new Error('db gone');
      },
    });
    const p = writer.write(1).catch((err: Error) => err.message);
    await writer.close();
    expect(await p).toBe('db gone');
  });
});

describe('BatchWriter robustness', () => {
  it('retries a failed batch one item at a time, within its concurrency', async () => {
    let running = 0;
    let maxRunning = 0;
    const writer = makeWriter<string>({
      maxBatch: 5,
      concurrency: 1,
      flush: async (items) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(2);
        running--;
        if (items.includes('bad')) throw new Error('bad item');
      },
    });
    const results = await Promise.allSettled(['a', 'b', 'bad', 'c', 'd'].map((x) => writer.write(x)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(maxRunning).toBe(1);
  });

  it('a throwing onBatch neither fails nor rewrites committed items, a throwing onError does not hang', async () => {
    const flushed: string[][] = [];
    const writer = makeWriter<string>({
      maxBatch: 2,
      flush: async (items) => {
        flushed.push(items);
        if (items.includes('bad')) throw new Error('bad');
      },
      onBatch: () => {
        throw new Error('metrics broke');
      },
      onError: () => {
        throw new Error('logging broke');
      },
    });
    await expect(Promise.all([writer.write('a'), writer.write('b')])).resolves.toEqual([undefined, undefined]);
    expect(flushed).toEqual([['a', 'b']]);
    await expect(writer.write('bad')).rejects.toThrow('bad');
  });
});
