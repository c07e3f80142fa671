import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { App } from './app.ts';
import type { Config } from './config.ts';
import { OCPP_PATH_PREFIX } from './ocpp/ocpp-server.ts';

export interface RunningServer {
  /** Base URL of the REST/GraphQL APIs, e.g. http://127.0.0.1:8080 */
  httpUrl: string;
  /** Base URL chargers connect to; the identity is appended: ws://127.0.0.1:8080/ocpp/CP-1 */
  ocppUrl: string;
  close(): Promise<void>;
}

/**
 * Listens for the app: one HTTP(S) server for APIs and OCPP websockets, or a second one for OCPP
 * when OCPP_PORT is set. TLS (OCPP security profile 2) when a certificate and key are configured.
 */
export async function listen(app: App, config: Config): Promise<RunningServer> {
  const tls = config.tls
    ? { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }
    : undefined;
  const create = (handler?: http.RequestListener) =>
    tls ? https.createServer({ ...tls }, handler) : http.createServer(handler);

  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (request.url?.startsWith(OCPP_PATH_PREFIX)) return app.ocpp.handleUpgrade(request, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  };

  const api = create(app.koa.callback());
  const servers = [api];
  let ocppServer = api;
  if (config.ocppPort !== undefined) {
    ocppServer = create((_req, res) => res.writeHead(404).end());
    servers.push(ocppServer);
  }
  ocppServer.on('upgrade', onUpgrade);
  // Chargers' sockets live long; the HTTP keep-alive timeouts must not apply to upgraded sockets.
  api.keepAliveTimeout = 65_000;

  await listenOn(api, config.port, config.host);
  if (ocppServer !== api) await listenOn(ocppServer, config.ocppPort!, config.host);

  const scheme = tls ? 'https' : 'http';
  const wsScheme = tls ? 'wss' : 'ws';
  const host = displayHost(config.host);
  return {
    httpUrl: `${scheme}://${host}:${(api.address() as AddressInfo).port}`,
    ocppUrl: `${wsScheme}://${host}:${(ocppServer.address() as AddressInfo).port}${OCPP_PATH_PREFIX.slice(0, -1)}`,
    close: async () => {
      await app.close();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      })));
    },
  };
}

/** Capped by net.core.somaxconn (4096 on current Linux). */
const LISTEN_BACKLOG = 4096;

function listenOn(server: http.Server | https.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // A fleet reconnecting after an outage arrives all at once: queue its handshakes in the kernel
    // (Node's default backlog is 511) rather than drop them into seconds of SYN/ACK retransmits.
    server.listen(port, host, LISTEN_BACKLOG, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
