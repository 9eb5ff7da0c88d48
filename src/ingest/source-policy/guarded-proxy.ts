import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { type SsrfGuard } from './ssrf-guard.js';

/**
 * A forward proxy on 127.0.0.1 for the download tools that do their own networking (yt-dlp, aria2c):
 * they are started with `--proxy` pointing here, and every connection they make — the first and every
 * one an extractor or tracker leads to — passes the same SSRF guard and is pinned to the checked
 * address. HTTPS goes through CONNECT (the tunnel is opaque; TLS stays end to end).
 */
export class GuardedProxy {
  private readonly logger = new Logger('ingest-proxy');
  private server?: Server;

  constructor(private readonly guard: SsrfGuard) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.forward(req, res));
    server.on(
      'connect',
      (req: IncomingMessage, socket: Socket, head: Buffer) => void this.tunnel(req, socket, head),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Plain http: the request line carries an absolute URL. */
  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
      if (url.protocol !== 'http:') throw new Error('only http:// through the forward path');
    } catch {
      res.writeHead(400).end('absolute http:// URL expected');
      return;
    }
    const pinned = await this.check(url, res);
    if (!pinned) return;
    const upstream = httpRequest(
      {
        host: pinned.address,
        family: pinned.family,
        port: Number(url.port || 80),
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers: { ...req.headers, host: url.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    // A client that goes away (cancelled download) must not leave the upstream transfer running.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }

  /** https (and anything else): CONNECT host:port, checked, then a raw tunnel to the pinned address. */
  private async tunnel(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(`https://${req.url}`);
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const pinned = await this.check(url, undefined, socket);
    if (!pinned) return;
    const upstream = connect(
      { host: pinned.address, port: Number(url.port || 443), family: pinned.family },
      () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      },
    );
    upstream.on('error', () => socket.destroy());
    upstream.on('close', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  }

  private async check(url: URL, res?: ServerResponse, socket?: Socket) {
    try {
      return await this.guard.check(url);
    } catch (error) {
      const reason = (error as Error).message;
      this.logger.warn(`refused ${url.host}: ${reason}`);
      if (res) res.writeHead(403, { 'content-type': 'text/plain' }).end(reason);
      socket?.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\n${reason}`);
      return undefined;
    }
  }
}
