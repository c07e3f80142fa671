import WebSocket from 'ws';

/** A charger's socket: subprotocol ocpp1.6, no compression, bound to a loopback source address when given. */
export function openSocket(url: string, localAddress: string | undefined, handshakeTimeoutMs: number): WebSocket {
  return new WebSocket(url, 'ocpp1.6', {
    perMessageDeflate: false,
    handshakeTimeout: handshakeTimeoutMs,
    ...(localAddress ? { localAddress } : {}),
  });
}

/** Closes cleanly (1000), or terminates a socket still connecting or one whose peer does not answer. */
export function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => ws.terminate(), 3000);
    ws.once('close', () => {
      clearTimeout(force);
      resolve();
    });
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(1000, 'Fleet stopped');
  });
}
