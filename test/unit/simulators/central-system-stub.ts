// A bare ocpp-rpc RPCServer (strict mode, ocpp1.6) that answers charge point calls
// and records them, for the simulator's unit tests.

import type { AddressInfo } from 'node:net';
import ocppRpc from 'ocpp-rpc';

const { RPCServer } = ocppRpc;
type Server = InstanceType<typeof RPCServer>;
export type ServerClient = {
  identity: string;
  call: (method: string, params?: unknown) => Promise<unknown>;
  close: (opts?: Record<string, unknown>) => Promise<unknown>;
  handle: (handler: (call: { method?: string; params?: any }) => Promise<Record<string, any>>) => void;
  on: (event: string, listener: (...args: any[]) => void) => void;
};

export interface ReceivedCall { identity: string; action: string; params: any; at: number }
/** Every websocket frame in order; outbound = sent by the server. */
export interface Frame { identity: string; outbound: boolean; message: unknown[] }

export interface StubOptions {
  bootStatus?: 'Accepted' | 'Pending' | 'Rejected';
  interval?: number;
  authorizeStatus?: 'Accepted' | 'Blocked' | 'Invalid';
  /** Refuse every websocket upgrade with this HTTP status. */
  rejectWith?: number;
  /** Accept only this Basic auth password (401 otherwise). */
  password?: string;
}

export interface CentralSystemStub {
  url: string;
  server: Server;
  received: ReceivedCall[];
  frames: Frame[];
  options: StubOptions;
  /** The server side of the connection of `identity` (waits for it). */
  client(identity: string, timeoutMs?: number): Promise<ServerClient>;
  /** Waits until a call matching the predicate has been received; returns it. */
  waitForCall(action: string, predicate?: (c: ReceivedCall) => boolean, timeoutMs?: number): Promise<ReceivedCall>;
  actions(identity?: string): string[];
  close(): Promise<void>;
}

export async function startCentralSystem(options: StubOptions = {}): Promise<CentralSystemStub> {
  const server = new RPCServer({ protocols: ['ocpp1.6'], strictMode: true });
  const received: ReceivedCall[] = [];
  const frames: Frame[] = [];
  const clients = new Map<string, ServerClient>();
  const listeners = new Set<() => void>();
  const notify = () => { for (const l of [...listeners]) l(); };
  let nextTransactionId = 1000;

  server.auth((accept, reject, handshake) => {
    if (options.rejectWith !== undefined) return reject(options.rejectWith, 'Refused');
    if (options.password !== undefined && handshake.password?.toString('utf8') !== options.password) {
      return reject(401, 'Unauthorized');
    }
    accept();
  });

  server.on('client', (client: ServerClient) => {
    clients.set(client.identity, client);
    client.on('close', () => { if (clients.get(client.identity) === client) clients.delete(client.identity); });
    client.on('message', ({ message, outbound }: { message: string; outbound: boolean }) => {
      frames.push({ identity: client.identity, outbound, message: JSON.parse(message) as unknown[] });
    });
    client.handle(async ({ method, params }) => {
      received.push({ identity: client.identity, action: String(method), params, at: Date.now() });
      notify();
      const now = new Date().toISOString();
      switch (method) {
        case 'BootNotification':
          return { status: options.bootStatus ?? 'Accepted', currentTime: now, interval: options.interval ?? 300 };
        case 'Heartbeat':
          return { currentTime: now };
        case 'Authorize':
          return { idTagInfo: { status: options.authorizeStatus ?? 'Accepted' } };
        case 'StartTransaction':
          return { transactionId: nextTransactionId++, idTagInfo: { status: options.authorizeStatus ?? 'Accepted' } };
        case 'StopTransaction':
          return { idTagInfo: { status: 'Accepted' } };
        case 'DataTransfer':
          return { status: 'Accepted' };
        default:
          return {};
      }
    });
    notify();
  });

  const httpServer = await server.listen(0, '127.0.0.1');
  const { port } = httpServer.address() as AddressInfo;

  const until = <T>(check: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const found = check();
      if (found !== undefined) return resolve(found);
      const listener = () => {
        const value = check();
        if (value === undefined) return;
        listeners.delete(listener);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => { listeners.delete(listener); reject(new Error(`Timed out waiting for ${what}`)); }, timeoutMs);
      listeners.add(listener);
    });

  return {
    url: `ws://127.0.0.1:${port}/ocpp`,
    server,
    received,
    frames,
    options,
    client: (identity, timeoutMs = 5000) => until(() => clients.get(identity), timeoutMs, `client ${identity}`),
    waitForCall: (action, predicate = () => true, timeoutMs = 5000) =>
      until(() => received.find((c) => c.action === action && predicate(c)), timeoutMs, action),
    actions: (identity) => received.filter((c) => !identity || c.identity === identity).map((c) => c.action),
    async close() {
      await server.close({ code: 1001, force: true });
      httpServer.closeAllConnections?.();
    },
  };
}
