import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { IdentityRecheck } from '../../auth/guards/identity.guard.js';
import { type PanelAdmittedRequest, panelAdmits } from '../security/panel-access.guard.js';

/** Comment line sent this often so proxies keep an idle stream open; access is checked again as often. */
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
 * an HTTP server does not finish closing while a response is still streaming. The panel guard
 * admitted each stream once, at its start; on every keepalive its identity is read again, and a
 * stream whose session ended or whose account may no longer open the page is ended.
 */
@Injectable()
export class SseConnections implements OnModuleDestroy {
  /** Each open stream, the request it answers, and a way back into that request's context (its tenant). */
  private readonly open = new Map<
    Response,
    { req: Request & PanelAdmittedRequest; inContext: <T>(fn: () => T) => T }
  >();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly identities: IdentityRecheck) {}

  start(req: Request & PanelAdmittedRequest, res: Response): SseStream {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no'); // nginx: pass events through at once
    res.flushHeaders();
    res.write('retry: 3000\n\n');
    this.open.set(res, { req, inContext: AsyncLocalStorage.snapshot() });
    this.timer ??= setInterval(() => void this.keepalive(), KEEPALIVE_MS);
    const listeners: (() => void)[] = [];
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      this.open.delete(res);
      if (this.open.size === 0) this.stopTimer();
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

  /**
   * The keepalive tick: one identity lookup per open stream; a stream still admitted gets its
   * keepalive line, any other is ended (the page's EventSource then reconnects to the login redirect).
   */
  async keepalive(): Promise<void> {
    await Promise.all(
      [...this.open].map(async ([res, { req, inContext }]) => {
        let admitted = false; // unknown (the database unreachable) ends it too: the page reconnects through the guard
        try {
          const identity = await inContext(() => this.identities.current(req));
          admitted = panelAdmits(identity, req.panelRoles ?? ['admin']);
        } catch {
          // ended below
        }
        if (!this.open.has(res)) return;
        if (admitted) res.write(': keepalive\n\n');
        else res.end();
      }),
    );
  }

  onModuleDestroy(): void {
    this.stopTimer();
    for (const res of this.open.keys()) res.end();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
