import type { ConnectionBookkeeping } from '../charge-points/connection-bookkeeping.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { Logger } from '../logger.ts';
import type { ChargerConnection } from './connection-registry.ts';
import type { OcppContext } from './context.ts';
import type { DataTransferVendors } from './data-transfer-vendors.ts';

/** The part of ocpp-rpc's server-side client we use (its bundled typings do not resolve under NodeNext). */
export interface RpcServerClient {
  session: unknown;
  handshake: { remoteAddress: string | undefined };
  sendRaw(frame: string): void;
  handle(method: string, handler: (call: { method: string; params?: unknown }) => Promise<Record<string, unknown>>): void;
  call(method: string, params: unknown, options: { callTimeoutMs: number }): Promise<unknown>;
  close(options: { code: number; reason: string }): Promise<unknown>;
  on(event: string, listener: (this: RpcServerClient, payload: never) => void): void;
}

/** What every session of one server shares (one object, referenced by each session). */
export interface SessionShared {
  db: Database;
  ingest: Ingest;
  bookkeeping: ConnectionBookkeeping;
  ocpp: Config['ocpp'];
  vendors: DataTransferVendors;
  log: Logger;
  now: () => Date;
}

/**
 * One charger's socket on this node: its registry entry and the context its handlers get. A class
 * (methods on the prototype, shared state behind one reference) because 20,000 of them are held at
 * once: per-connection closures, contexts and child loggers were most of what a charger cost beyond
 * ocpp-rpc's own client.
 */
export class ChargerSession implements ChargerConnection, OcppContext {
  client: RpcServerClient | undefined;
  connectedAt: Date;
  remoteAddress: string | undefined;
  /** When the last call (other than Heartbeat) refreshed last_seen_at. */
  lastTouchMs: number;

  constructor(
    private readonly shared: SessionShared,
    readonly chargePointId: string,
    readonly wsConnectionId: string,
  ) {
    this.connectedAt = shared.now();
    this.lastTouchMs = this.connectedAt.getTime();
  }

  /** The socket exists: ocpp-rpc created the client the session was accepted with. */
  attach(client: RpcServerClient): void {
    this.client = client;
    this.connectedAt = this.shared.now();
    this.lastTouchMs = this.connectedAt.getTime();
    this.remoteAddress = client.handshake.remoteAddress;
  }

  get db(): Database {
    return this.shared.db;
  }
  get ingest(): Ingest {
    return this.shared.ingest;
  }
  get bookkeeping(): ConnectionBookkeeping {
    return this.shared.bookkeeping;
  }
  get ocpp(): Config['ocpp'] {
    return this.shared.ocpp;
  }
  get vendors(): DataTransferVendors {
    return this.shared.vendors;
  }
  get now(): () => Date {
    return this.shared.now;
  }

  /** Made when something is logged, not kept: most chargers never log anything. */
  get log(): Logger {
    return this.shared.log.child({ chargePointId: this.chargePointId, wsConnectionId: this.wsConnectionId });
  }

  call(action: string, payload: unknown, options?: { timeoutMs?: number }): Promise<unknown> {
    if (!this.client) return Promise.reject(new Error(`charger ${this.chargePointId} is not connected yet`));
    return this.client.call(action, payload, { callTimeoutMs: options?.timeoutMs ?? this.shared.ocpp.callTimeoutMs });
  }

  async close(code: number, reason: string): Promise<void> {
    await this.client?.close({ code, reason });
  }
}
