import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type Request, type Response } from 'express';

/** Comment line sent this often so proxies keep an idle stream open. */
const KEEPALIVE_MS = 15_000;

export interface SseStream {
  send(event: string, data: unknown): void;
  /**
   * Runs once when the client goes away or the server shuts down; at once if that has happened
   * already (a client that left while the handler awaited its subscription leaves none behind).
   */
  onClose(listener: () => void): void;
}

/**
 * Server-Sent Events streams of the panel. Every open stream is tracked so shutdown can end them:
 * an HTTP server does not finish closing while a response is still streaming.
 */
@Injectable()
export class SseConnections implements OnModuleDestroy {
  private readonly open = new Set<Response>();

  start(req: Request, res: Response): SseStream {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no'); // nginx: pass events through at once
    res.flushHeaders();
    res.write('retry: 3000\n\n');
    this.open.add(res);
    const listeners: (() => void)[] = [];
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(keepalive);
      this.open.delete(res);
      for (const listener of listeners) listener();
    };
    req.on('close', close);
    res.on('close', close);
    return {
      send: (event, data) => {
        if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      },
      onClose: (listener) => (closed ? listener() : listeners.push(listener)),
    };
  }

  onModuleDestroy(): void {
    for (const res of this.open) res.end();
  }
}
