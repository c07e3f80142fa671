// One lightweight fleet charger: a raw `ws` socket with its own OCPP-J framing (no per-instance
// validator, queue or event emitter), so one process can hold ten thousand of them. The full-featured
// simulator is SimulatedChargePoint (../charge-point.ts); this one only does what load needs.

import WebSocket from 'ws';
import { closeSocket, openSocket } from './fleet-socket.ts';
import * as payloads from './fleet-payloads.ts';
import type { ConnectorState } from './fleet-payloads.ts';
import { sourceAddress, type FleetCounters, type FleetOptions } from './fleet-types.ts';
import type { LatencyHistogram } from './latency-histogram.ts';

/** What the chargers of one worker process share. */
export interface FleetContext {
  options: FleetOptions;
  counters: FleetCounters;
  latency(action: string): LatencyHistogram;
  /** Set when the fleet stops: no new calls, no reconnects. */
  stopping: boolean;
  /** A charger's first Accepted boot. */
  onFirstBoot(): void;
}

interface Pending {
  action: string;
  sentAt: number;
  resolve(result: Record<string, unknown>): void;
  reject(err: Error): void;
}

type Json = Record<string, unknown>;
const noop = () => undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exponentialMs = (meanS: number) => -Math.log(1 - Math.random()) * meanS * 1000;

export class FleetCharger {
  private ws: WebSocket | undefined;
  private seq = 0;
  private readonly pending = new Map<string, Pending>();
  private heartbeat: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private everBooted = false;
  private booted = false;
  private readonly connectors: ConnectorState[];

  constructor(readonly id: string, private readonly index: number, private readonly ctx: FleetContext) {
    this.connectors = Array.from({ length: ctx.options.connectors }, (_, i) => payloads.newConnector(i + 1));
  }

  connect(): void {
    const { options, counters } = this.ctx;
    const ws = openSocket(`${options.url}/${encodeURIComponent(this.id)}`, sourceAddress(options.addresses, this.index), options.callTimeoutS * 1000);
    this.ws = ws;
    let opened = false;
    ws.on('open', () => {
      opened = true;
      counters.connected++;
      void this.boot();
    });
    ws.on('message', (data) => this.onFrame(data.toString()));
    ws.on('error', () => {
      if (!opened) counters.connectFailures++;
    });
    ws.on('close', () => {
      if (opened) {
        counters.connected--;
        if (!this.ctx.stopping) counters.disconnects++;
      }
      this.onClosed();
    });
  }

  /** Stops timers; the socket stays open so calls in flight can still be answered. */
  quiesce(): void {
    clearTimeout(this.heartbeat);
    clearTimeout(this.retry);
    for (const c of this.connectors) {
      clearTimeout(c.timer);
      clearInterval(c.meterTimer);
    }
  }

  close(): Promise<void> {
    return this.ws ? closeSocket(this.ws) : Promise.resolve();
  }

  /** Fails calls that waited longer than the call timeout. */
  sweep(now: number): void {
    const limit = now - this.ctx.options.callTimeoutS * 1000;
    for (const [id, p] of this.pending) {
      if (p.sentAt >= limit) continue;
      this.pending.delete(id);
      this.ctx.counters.inFlight--;
      this.ctx.counters.callTimeouts++;
      p.reject(new Error(`${p.action} timed out`));
    }
  }

  private call(action: string, payload: Json): Promise<Json> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.ctx.stopping) return Promise.reject(new Error('not sending'));
    const id = String(++this.seq);
    this.ctx.counters.callsSent++;
    this.ctx.counters.inFlight++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { action, sentAt: performance.now(), resolve, reject });
      ws.send(`[2,"${id}","${action}",${JSON.stringify(payload)}]`);
    });
  }

  private onFrame(text: string): void {
    let frame: unknown[];
    try {
      frame = JSON.parse(text) as unknown[];
    } catch {
      return;
    }
    const [type, id] = frame as [number, string];
    if (type === 2) return this.onCall(id, frame[2] as string, (frame[3] ?? {}) as Json);
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    const { counters } = this.ctx;
    counters.inFlight--;
    if (type === 3) {
      counters.callsAnswered++;
      this.ctx.latency(p.action).record(performance.now() - p.sentAt);
      p.resolve((frame[2] ?? {}) as Json);
    } else {
      counters.callErrors++;
      p.reject(new Error(`${p.action}: CALLERROR ${String(frame[2])} ${String(frame[3])}`));
    }
  }

  private onClosed(): void {
    this.quiesce();
    for (const p of this.pending.values()) {
      this.ctx.counters.inFlight--;
      p.reject(new Error('socket closed'));
    }
    this.pending.clear();
    if (this.booted) this.ctx.counters.booted--;
    this.booted = false;
    for (const c of this.connectors) {
      if (c.transactionId !== undefined) this.ctx.counters.activeTransactions--;
      c.transactionId = undefined;
      c.busy = false;
    }
    if (this.ctx.options.reconnect && !this.ctx.stopping) {
      this.retry = setTimeout(() => this.connect(), 1000 + Math.random() * 4000);
    }
  }

  private async boot(): Promise<void> {
    const { options, counters } = this.ctx;
    let conf: Json;
    try {
      conf = await this.call('BootNotification', payloads.bootNotification(this.id));
    } catch {
      if (!this.ctx.stopping && this.ws?.readyState === WebSocket.OPEN) this.retry = setTimeout(() => void this.boot(), 5000);
      return;
    }
    const interval = typeof conf.interval === 'number' ? conf.interval : 0;
    if (conf.status !== 'Accepted') {
      counters.pendingBoots++;
      this.retry = setTimeout(() => void this.boot(), Math.max(1, interval || 10) * 1000);
      return;
    }
    this.booted = true;
    counters.booted++;
    if (!this.everBooted) {
      this.everBooted = true;
      this.ctx.onFirstBoot();
    }
    const heartbeatS = options.heartbeatIntervalS ?? interval;
    if (heartbeatS > 0) {
      // The first one at a random point of the interval: a fleet booted in a storm would otherwise heartbeat in bursts.
      const beat = () => void this.call('Heartbeat', {}).catch(noop);
      this.heartbeat = setTimeout(() => {
        beat();
        this.heartbeat = setInterval(beat, heartbeatS * 1000);
      }, Math.random() * heartbeatS * 1000);
    }
    if (options.statusOnBoot) {
      for (let id = 0; id <= this.connectors.length; id++) {
        await this.call('StatusNotification', payloads.statusNotification(id, 'Available')).catch(noop);
      }
      counters.statusReported++;
    }
    for (const c of this.connectors) {
      if (options.transactions === 'always') void this.startTransaction(c, this.idTag());
      if (options.transactions === 'random') this.scheduleStart(c);
    }
  }

  private idTag(): string {
    return `FT${this.index}`;
  }

  private scheduleStart(c: ConnectorState): void {
    if (this.ctx.stopping) return;
    c.timer = setTimeout(() => void this.startTransaction(c, this.idTag()), exponentialMs(this.ctx.options.txGapS));
  }

  private async startTransaction(c: ConnectorState, idTag: string): Promise<void> {
    if (c.busy || c.transactionId !== undefined || !this.booted) return;
    const { options, counters } = this.ctx;
    c.busy = true;
    try {
      const conf = await this.call('StartTransaction', payloads.startTransaction(c, idTag));
      c.transactionId = conf.transactionId as number;
      c.powerW = 11_000;
      c.lastMeterAt = Date.now();
      counters.transactionsStarted++;
      counters.activeTransactions++;
      void this.call('StatusNotification', payloads.statusNotification(c.id, 'Charging')).catch(noop);
    } catch {
      if (options.transactions === 'random') this.scheduleStart(c);
      return;
    } finally {
      c.busy = false;
    }
    if (options.meterIntervalS > 0) {
      c.meterTimer = setInterval(() => void this.sendMeterValues(c).catch(noop), options.meterIntervalS * 1000);
    } else {
      void this.meterFlood(c, c.transactionId);
    }
    if (options.transactions === 'random') c.timer = setTimeout(() => void this.stopTransaction(c, 'Local'), exponentialMs(options.txLengthS));
  }

  /** MeterValues back to back: the next call goes out as soon as the previous one is answered. */
  private async meterFlood(c: ConnectorState, transactionId: number): Promise<void> {
    while (c.transactionId === transactionId && this.booted && !this.ctx.stopping) {
      try {
        await this.sendMeterValues(c);
      } catch {
        await sleep(100);
      }
    }
  }

  private async sendMeterValues(c: ConnectorState): Promise<void> {
    const now = Date.now();
    const payload = payloads.meterValues(c, this.ctx.options.samples, (now - c.lastMeterAt) / 1000);
    c.lastMeterAt = now;
    await this.call('MeterValues', payload);
    this.ctx.counters.meterValuesAcked++;
    this.ctx.counters.samplesAcked += this.ctx.options.samples;
  }

  private async stopTransaction(c: ConnectorState, reason: string): Promise<void> {
    if (c.busy || c.transactionId === undefined) return;
    clearInterval(c.meterTimer);
    clearTimeout(c.timer);
    c.busy = true;
    try {
      await this.call('StopTransaction', payloads.stopTransaction(c, reason));
      c.transactionId = undefined;
      c.powerW = 0;
      this.ctx.counters.transactionsStopped++;
      this.ctx.counters.activeTransactions--;
      void this.call('StatusNotification', payloads.statusNotification(c.id, 'Available')).catch(noop);
    } catch {
      // Left running: the next random stop (or the fleet's end) takes care of it.
    } finally {
      c.busy = false;
    }
    if (this.ctx.options.transactions === 'random') this.scheduleStart(c);
  }

  private reply(id: string, result: Json): void {
    this.ws?.send(`[3,"${id}",${JSON.stringify(result)}]`);
  }

  private onCall(id: string, action: string, payload: Json): void {
    this.ctx.counters.incomingCalls++;
    switch (action) {
      case 'RemoteStartTransaction': {
        const wanted = typeof payload.connectorId === 'number' ? this.connectors[payload.connectorId - 1] : this.connectors.find((c) => c.transactionId === undefined && !c.busy);
        const ok = this.booted && wanted !== undefined && wanted.transactionId === undefined && !wanted.busy;
        this.reply(id, { status: ok ? 'Accepted' : 'Rejected' });
        if (ok) {
          this.ctx.counters.remoteStarts++;
          void this.startTransaction(wanted, String(payload.idTag));
        }
        return;
      }
      case 'RemoteStopTransaction': {
        const c = this.connectors.find((x) => x.transactionId === payload.transactionId);
        this.reply(id, { status: c ? 'Accepted' : 'Rejected' });
        if (c) void this.stopTransaction(c, 'Remote');
        return;
      }
      default: {
        const answer = payloads.SIMPLE_ANSWERS[action];
        if (answer) this.reply(id, answer);
        else this.ws?.send(`[4,"${id}","NotImplemented","${action} is not simulated by the fleet",{}]`);
      }
    }
  }
}
