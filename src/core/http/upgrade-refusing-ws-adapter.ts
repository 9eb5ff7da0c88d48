import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import { type Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { type WebSocket, type WebSocketServer } from 'ws';
import { type ErrorBody, errorCodeFor } from '../errors/error-body.js';

/**
 * Nest's WsAdapter, except for what it does with an `Upgrade` request it does not serve (another
 * path, `Upgrade: h2c` from `curl --http2`, a path it cannot parse): it dropped the connection without
 * a word, or wrote a status line with no headers. Here such a request gets a complete HTTP answer
 * with the usual JSON `{error, message}` body (404 for a WebSocket at another path, 400 for another
 * protocol), and the connection is closed. A client's socket errors are logged as warnings.
 */
export class UpgradeRefusingWsAdapter extends WsAdapter {
  private readonly socketLogger = new Logger('party');

  /**
   * What a client did wrong on its socket (a frame over the size limit, bad UTF-8, a bad close code:
   * ws closes it with the code that says so) is a warning, not an error: any client can cause one.
   */
  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    server.on('connection', (ws: WebSocket) =>
      ws.on('error', (error: Error & { code?: string }) =>
        this.socketLogger.warn(`a client's socket was closed: ${error.code ?? error.name}: ${error.message}`),
      ),
    );
    server.on('error', (error: Error) => this.socketLogger.error(error));
    return server;
  }

  protected override ensureHttpServerExists(port: number, httpServer?: Server): Server | undefined {
    const known = this.httpServersRegistry.has(port);
    const created = super.ensureHttpServerExists(port, httpServer);
    if (known) return created;
    const server = this.httpServersRegistry.get(port) as Server;
    // The adapter's own listener, just added: it now only sees what one of its servers serves.
    const adapters = server.listeners('upgrade');
    const delegate = adapters[adapters.length - 1] as (
      req: IncomingMessage,
      socket: Duplex,
      head: Buffer,
    ) => void;
    server.off('upgrade', delegate);
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = pathOf(req.url);
      if (path === undefined) return refuse(socket, 400, 'The request target is not a valid path.');
      if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
        return refuse(
          socket,
          400,
          'This server switches to WebSocket only; send the request without Upgrade.',
        );
      }
      const served = (this.wsServersRegistry.get(port) ?? []).some(
        (ws: { path: string }) => ws.path === path,
      );
      if (!served) return refuse(socket, 404, 'No WebSocket is served at this path.');
      delegate(req, socket, head);
    });
    return created;
  }
}

function pathOf(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '', 'http://upgrade.invalid').pathname;
  } catch {
    return undefined;
  }
}

function refuse(socket: Duplex, status: 400 | 404, message: string): void {
  const body = JSON.stringify({ error: errorCodeFor(status), message } satisfies ErrorBody);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
