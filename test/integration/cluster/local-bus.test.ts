import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, nodeChannel } from '../../../src/cluster/cluster-bus.ts';
import { createLocalBus } from '../../../src/cluster/local-bus.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('local cluster bus', () => {
  it('delivers to every subscriber of the channel, asynchronously and in order', async () => {
    const bus = createLocalBus();
    const a: string[] = [];
    const b: string[] = [];
    const other: string[] = [];
    await bus.subscribe('ocpp_cmd_node_1', (m) => a.push(m));
    await bus.subscribe('ocpp_cmd_node_1', (m) => b.push(m));
    await bus.subscribe('ocpp_cmd_node_2', (m) => other.push(m));
    await bus.publish('ocpp_cmd_node_1', 'one');
    await bus.publish('ocpp_cmd_node_1', 'two');
    expect(a).toEqual([]); // not inside publish: like NOTIFY, delivery comes later
    await tick();
    await tick();
    expect(a).toEqual(['one', 'two']);
    expect(b).toEqual(['one', 'two']);
    expect(other).toEqual([]);
    await bus.close();
  });

  it('stops delivering after unsubscribe, even a message already published', async () => {
    const bus = createLocalBus();
    const kept: string[] = [];
    const dropped: string[] = [];
    await bus.subscribe('chan', (m) => kept.push(m));
    const unsubscribe = await bus.subscribe('chan', (m) => dropped.push(m));
    await bus.publish('chan', 'before');
    await unsubscribe();
    await unsubscribe(); // idempotent
    await bus.publish('chan', 'after');
    await tick();
    expect(kept).toEqual(['before', 'after']);
    expect(dropped).toEqual([]);
    await bus.close();
  });

  it('keeps delivering to the others when a handler throws, and reports it', async () => {
    const errors: Error[] = [];
    const bus = createLocalBus({ onError: (err) => errors.push(err) });
    const got: string[] = [];
    await bus.subscribe('chan', () => {
      throw new Error('boom');
    });
    await bus.subscribe('chan', (m) => got.push(m));
    await bus.publish('chan', 'x');
    await tick();
    expect(got).toEqual(['x']);
    expect(errors.map((e) => e.message)).toEqual(['boom']);
    await bus.close();
  });

  it('refuses channels that are not safe SQL identifiers', async () => {
    const bus = createLocalBus();
    for (const bad of ['', 'Upper', 'has-dash', 'sp ace', 'quote"', 'x'.repeat(64), 'é']) {
      await expect(bus.publish(bad, 'm')).rejects.toThrow(/invalid cluster bus channel/);
      await expect(bus.subscribe(bad, () => undefined)).rejects.toThrow(/invalid cluster bus channel/);
    }
    await expect(bus.subscribe('a'.repeat(63), () => undefined)).resolves.toBeTypeOf('function');
    await bus.close();
  });

  it('builds valid, distinct channels from arbitrary node ids', () => {
    expect(nodeChannel('ocpp_cmd_', 'node_1')).toBe('ocpp_cmd_node_1');
    const dashed = nodeChannel('ocpp_cmd_', 'node-1');
    expect(dashed).toMatch(/^ocpp_cmd_node_1_[0-9a-f]{10}$/);
    expect(dashed).not.toBe(nodeChannel('ocpp_cmd_', 'node.1'));
    expect(nodeChannel('ocpp_cmd_', 'N'.repeat(200)).length).toBeLessThanOrEqual(63);
  });

  it('refuses messages over the NOTIFY limit, counting bytes rather than characters', async () => {
    const bus = createLocalBus();
    await expect(bus.publish('chan', 'x'.repeat(MAX_MESSAGE_BYTES))).resolves.toBeUndefined();
    await expect(bus.publish('chan', 'x'.repeat(MAX_MESSAGE_BYTES + 1))).rejects.toThrow(/7901 bytes; the limit is 7900/);
    await expect(bus.publish('chan', 'é'.repeat(MAX_MESSAGE_BYTES / 2 + 1))).rejects.toThrow(/limit is 7900/);
    await bus.close();
  });

  it('rejects publish and subscribe after close', async () => {
    const bus = createLocalBus();
    const got: string[] = [];
    await bus.subscribe('chan', (m) => got.push(m));
    await bus.publish('chan', 'in flight');
    await bus.close();
    await tick();
    expect(got).toEqual([]);
    await expect(bus.publish('chan', 'm')).rejects.toThrow(/closed/);
    await expect(bus.subscribe('chan', () => undefined)).rejects.toThrow(/closed/);
    await bus.close();
  });
});
