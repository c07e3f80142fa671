import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as chargePointRepository from '../../../src/charge-points/charge-point.repository.ts';
import * as clusterNodeRepository from '../../../src/cluster/cluster-node.repository.ts';
import { startNodeRegistry, sweepCutoffs, type NodeRegistry } from '../../../src/cluster/node-registry.ts';
import type { DatabaseHandle } from '../../../src/db/database.ts';
import { createTestDatabase } from '../../fixtures/test-database.ts';

const log = pino({ level: 'silent' });
const HOUR = 60 * 60 * 1000;

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(() => handle.close());

async function connectCharger(id: string, serverId: string | null): Promise<void> {
  const at = new Date();
  await chargePointRepository.insert(handle.db, { id, passwordHash: null });
  if (serverId) await chargePointRepository.markConnectedMany(handle.db, [{ id, at, serverId, wsConnectionId: `ws-${id}` }]);
  else await chargePointRepository.update(handle.db, id, { online: true, wsConnectionId: `ws-${id}` });
}

async function state(id: string) {
  const row = await chargePointRepository.findById(handle.db, id);
  return { online: row?.online, wsConnectionId: row?.wsConnectionId, disconnectedAt: row?.disconnectedAt };
}

/** Counts sweeps so a test can wait for one that started after what it staged. */
function sweepCounter() {
  let count = 0;
  let released = 0;
  const waiters: Array<{ at: number; resolve: () => void }> = [];
  return {
    onSweep(n: number) {
      count++;
      released += n;
      for (const w of waiters.filter((x) => count >= x.at)) w.resolve();
    },
    get released() {
      return released;
    },
    /** Two more sweeps: the second one surely began after this call. */
    next(): Promise<void> {
      return new Promise((resolve) => waiters.push({ at: count + 2, resolve }));
    },
  };
}

describe('sweep cutoffs', () => {
  it('derives the live-node and forget cutoffs from the database clock', () => {
    const now = new Date('2026-11-22T12:00:00Z');
    expect(sweepCutoffs(now, 30_000)).toEqual({
      liveNodeCutoff: new Date('2026-11-22T11:59:30Z'),
      silentNodeCutoff: new Date('2026-11-21T12:00:00Z'),
    });
  });

  it('refuses a timeout that live nodes could not meet between two heartbeats', async () => {
    await expect(
      startNodeRegistry({ db: handle.db, nodeId: 'bad', heartbeatIntervalMs: 1000, nodeTimeoutMs: 1000, log }),
    ).rejects.toThrow(/heartbeatIntervalMs < nodeTimeoutMs/);
  });
});

describe('cluster node repository', () => {
  it('upserts heartbeats, lists live nodes and forgets long-silent ones', async () => {
    const first = await clusterNodeRepository.heartbeat(handle.db, 'repo_a');
    const second = await clusterNodeRepository.heartbeat(handle.db, 'repo_a');
    expect(second.getTime()).toBeGreaterThanOrEqual(first.getTime());
    await clusterNodeRepository.heartbeat(handle.db, 'repo_old', new Date(second.getTime() - 2 * HOUR));
    await clusterNodeRepository.heartbeat(handle.db, 'repo_ancient', new Date(second.getTime() - 25 * HOUR));

    const live = await clusterNodeRepository.listLive(handle.db, new Date(second.getTime() - HOUR));
    expect(live.map((n) => n.id)).toContain('repo_a');
    expect(live.map((n) => n.id)).not.toContain('repo_old');

    expect(await clusterNodeRepository.removeSilentSince(handle.db, new Date(second.getTime() - 24 * HOUR))).toBe(1);
    const all = await clusterNodeRepository.listLive(handle.db, new Date(0));
    expect(all.map((n) => n.id)).toEqual(expect.arrayContaining(['repo_a', 'repo_old']));
    expect(all.map((n) => n.id)).not.toContain('repo_ancient');

    expect(await clusterNodeRepository.remove(handle.db, 'repo_a')).toBe(true);
    expect(await clusterNodeRepository.remove(handle.db, 'repo_a')).toBe(false);
    await clusterNodeRepository.remove(handle.db, 'repo_old');
  });
});

describe('node registry', () => {
  const registries: NodeRegistry[] = [];
  afterAll(() => Promise.all(registries.map((r) => r.close())));

  it("releases the chargers of a crashed node and of unknown nodes, keeping a live node's", async () => {
    const sweepsA = sweepCounter();
    const options = { db: handle.db, heartbeatIntervalMs: 50, nodeTimeoutMs: 3_000, log };
    const a = await startNodeRegistry({ ...options, nodeId: 'node_a', onSweep: sweepsA.onSweep });
    const sweepsB = sweepCounter(); // every node sweeps, so B may release C's charger first
    const b = await startNodeRegistry({ ...options, nodeId: 'node_b', onSweep: sweepsB.onSweep });
    registries.push(a, b);
    expect((await clusterNodeRepository.listLive(handle.db, new Date(Date.now() - HOUR))).map((n) => n.id)).toEqual(
      expect.arrayContaining(['node_a', 'node_b']),
    );

    await connectCharger('CP-ON-A', 'node_a');
    await connectCharger('CP-ON-B', 'node_b');
    await connectCharger('CP-ON-C', 'node_c'); // a node that never registered
    await connectCharger('CP-NO-SERVER', null);
    await sweepsA.next();
    expect((await state('CP-ON-A')).online).toBe(true);
    expect((await state('CP-ON-B')).online).toBe(true); // B is alive: its chargers are left alone
    expect(await state('CP-ON-C')).toMatchObject({ online: false, wsConnectionId: null, disconnectedAt: expect.any(Date) });
    expect((await state('CP-NO-SERVER')).online).toBe(false);

    // B crashes: its timer stops and its last heartbeat (an hour ago) stays behind.
    await b.close();
    const [bRow] = await clusterNodeRepository.listLive(handle.db, new Date(0)).then((rows) => rows.filter((n) => n.id === 'node_b'));
    expect(bRow).toBeUndefined(); // close() deregisters…
    await clusterNodeRepository.heartbeat(handle.db, 'node_b', new Date(Date.now() - HOUR)); // …a crash would not
    await sweepsA.next();

    expect((await state('CP-ON-A')).online).toBe(true);
    expect(await state('CP-ON-A')).toMatchObject({ wsConnectionId: 'ws-CP-ON-A', disconnectedAt: null });
    expect(await state('CP-ON-B')).toMatchObject({ online: false, wsConnectionId: null, disconnectedAt: expect.any(Date) });
    expect(sweepsA.released + sweepsB.released).toBe(3);
    // An hour of silence is dead but not yet forgotten (that takes 24 h).
    expect((await clusterNodeRepository.listLive(handle.db, new Date(0))).map((n) => n.id)).toContain('node_b');
    await a.close(); // no sweeping behind the next tests' backs
  });

  it('forgets nodes silent for over a day, and close() deregisters this node', async () => {
    await clusterNodeRepository.heartbeat(handle.db, 'node_ancient', new Date(Date.now() - 25 * HOUR));
    const sweeps = sweepCounter();
    const registry = await startNodeRegistry({
      db: handle.db,
      nodeId: 'node_d',
      heartbeatIntervalMs: 50,
      nodeTimeoutMs: 3_000,
      log,
      onSweep: sweeps.onSweep,
    });
    await sweeps.next();
    const ids = (await clusterNodeRepository.listLive(handle.db, new Date(0))).map((n) => n.id);
    expect(ids).toContain('node_d');
    expect(ids).not.toContain('node_ancient');
    await registry.close();
    await registry.close();
    expect((await clusterNodeRepository.listLive(handle.db, new Date(0))).map((n) => n.id)).not.toContain('node_d');
  });

  it('marks orphans offline in one statement, whatever their server id', async () => {
    await connectCharger('CP-ORPHAN-1', 'node_gone');
    await connectCharger('CP-LIVE-1', 'node_live');
    const now = await clusterNodeRepository.heartbeat(handle.db, 'node_live');
    const at = new Date('2026-11-22T10:00:00Z');
    const released = await chargePointRepository.markOrphansOffline(handle.db, new Date(now.getTime() - 60_000), at);
    expect(released).toBe(1);
    expect(await state('CP-ORPHAN-1')).toEqual({ online: false, wsConnectionId: null, disconnectedAt: at });
    expect((await state('CP-LIVE-1')).online).toBe(true);
    await clusterNodeRepository.remove(handle.db, 'node_live');
  });
});

describe('a node that was presumed dead', () => {
  it('calls onResumed when its heartbeat comes back after more than the timeout', async () => {
    let resumed = 0;
    const registry = await startNodeRegistry({
      db: handle.db,
      nodeId: 'node_sleepy',
      heartbeatIntervalMs: 50,
      nodeTimeoutMs: 200,
      log: pino({ level: 'silent' }),
      onResumed: async () => {
        resumed++;
      },
    });
    try {
      await new Promise((r) => setTimeout(r, 150));
      expect(resumed).toBe(0);
      // Block the event loop past the timeout, as a long GC pause or a stuck disk would.
      const until = Date.now() + 400;
      while (Date.now() < until) {
        // busy wait
      }
      for (let i = 0; i < 100 && resumed === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(resumed).toBe(1);
    } finally {
      await registry.close();
    }
  });
});
