import { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { requestIdOf } from './request-id.js';
import { securityHeaderList } from './security-headers.js';

/**
 * A request answered ahead of Express: true when the path takes it. It may still hand the request on
 * with `next` as long as it has written nothing.
 */
export type FastPath = (req: IncomingMessage, res: ServerResponse, next: () => void) => boolean;

/**
 * The paths in front of Express (signed media, page turns, Subsonic's raw bytes): each module
 * registers its own at init, and `mount` puts them all before the Express handler, tried in turn.
 * What they answer carries what Express's answers carry (`setAnswerHeaders`).
 */
@Injectable()
export class FastPaths {
  private readonly paths: FastPath[] = [];
  /** helmet's headers, as Express's middleware sets them (a path writing one `writeHead` reads them). */
  readonly securityHeaders: ReadonlyArray<readonly [string, string]>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.securityHeaders = securityHeaderList(config);
  }

  register(path: FastPath): void {
    this.paths.push(path);
  }

  /**
   * Puts the paths in front of the server's Express handler. They are looked up per request: modules
   * register theirs at init, which Nest runs after the app is configured.
   */
  mount(server: Server): void {
    const [express] = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const next = () => express(req, res);
      if (!this.paths.some((path) => path(req, res, next))) next();
    });
  }

  /** helmet's headers and `X-Request-Id`, as Express's middleware would have set them. */
  setAnswerHeaders(req: IncomingMessage, res: ServerResponse): void {
    for (const [name, value] of this.securityHeaders) res.setHeader(name, value);
    res.setHeader('X-Request-Id', requestIdOf(req));
  }
}
