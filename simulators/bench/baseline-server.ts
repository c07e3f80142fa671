// The benchmarks' baseline: a bare ocpp-rpc server in strict mode (every frame schema-validated, as
// the project's is) that answers every call at once with a minimal valid response and stores nothing.
// The gap between it and the project is the cost of the project's own work (database, bookkeeping).
//   PORT=9100 npx tsx simulators/bench/baseline-server.ts      prints "baseline listening on <port>"

import type { AddressInfo } from 'node:net';
import { RPCServer } from 'ocpp-rpc';

interface RpcClient {
  handle(method: string, handler: (call: { params?: Record<string, unknown> }) => unknown): void;
}

export async function startBaselineServer(port: number, host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> }> {
  const server = new RPCServer({
    protocols: ['ocpp1.6'],
    strictMode: true,
    // As the project's defaults: no compression, the same frame limit, pings at the heartbeat interval.
    pingIntervalMs: 300_000,
    deferPingsOnActivity: true,
    respondWithDetailedErrors: false,
    wssOptions: { maxPayload: 65_536, perMessageDeflate: false },
  });
  let nextTransactionId = 1;
  server.auth((accept, _reject, handshake) => accept({ identity: handshake.identity }, 'ocpp1.6'));
  server.on('client', (client: RpcClient) => {
    const now = () => new Date().toISOString();
    const accepted = { idTagInfo: { status: 'Accepted' } };
    client.handle('BootNotification', () => ({ status: 'Accepted', currentTime: now(), interval: 300 }));
    client.handle('Heartbeat', () => ({ currentTime: now() }));
    client.handle('StatusNotification', () => ({}));
    client.handle('MeterValues', () => ({}));
    client.handle('Authorize', () => accepted);
    client.handle('StartTransaction', () => ({ transactionId: nextTransactionId++, ...accepted }));
    client.handle('StopTransaction', () => ({}));
    client.handle('DataTransfer', () => ({ status: 'Accepted' }));
    client.handle('DiagnosticsStatusNotification', () => ({}));
    client.handle('FirmwareStatusNotification', () => ({}));
  });
  const http = await server.listen(port, host);
  return {
    port: (http.address() as AddressInfo).port,
    close: () => server.close({ force: true }),
  };
}

// Run as a process (the benches measure its RSS and CPU the same way as the project server's).
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const running = await startBaselineServer(Number(process.env.PORT ?? 9100), process.env.HOST ?? '127.0.0.1');
  console.log(`baseline listening on ${running.port}`);
  const shutdown = () => void running.close().finally(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
