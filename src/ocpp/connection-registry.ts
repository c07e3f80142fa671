/**
 * The charger sockets held by this node, by identity. The only in-memory state of the OCPP server:
 * everything a socket's charger said is in the database.
 */
export interface ChargerConnection {
  chargePointId: string;
  wsConnectionId: string;
  connectedAt: Date;
  remoteAddress: string | undefined;
  /** Sends a server-initiated OCPP call and resolves with the charger's answer. */
  call(action: string, payload: unknown, options?: { timeoutMs?: number }): Promise<unknown>;
  close(code: number, reason: string): Promise<void>;
}

export class ConnectionRegistry {
  private readonly byId = new Map<string, ChargerConnection>();

  get(chargePointId: string): ChargerConnection | undefined {
    return this.byId.get(chargePointId);
  }

  /** Registers a connection; returns the one it replaces, which the caller closes. */
  set(connection: ChargerConnection): ChargerConnection | undefined {
    const previous = this.byId.get(connection.chargePointId);
    this.byId.set(connection.chargePointId, connection);
    return previous;
  }

  /** Removes the connection only if it is still the current one for its charger. */
  delete(connection: ChargerConnection): boolean {
    if (this.byId.get(connection.chargePointId) !== connection) return false;
    return this.byId.delete(connection.chargePointId);
  }

  get size(): number {
    return this.byId.size;
  }

  values(): IterableIterator<ChargerConnection> {
    return this.byId.values();
  }
}
