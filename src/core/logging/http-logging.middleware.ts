import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { requestIdOf } from '../http/request-id.js';
import { requestContext } from './request-context.js';

/**
 * Logs each request once on completion and runs the handler inside a request context, so every line
 * logged while serving it carries the same `reqId` (taken from a sane `X-Request-Id`, else generated).
 */
export function httpLoggingMiddleware(logger: Logger) {
  const httpLogger = pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = requestIdOf(req);
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
  return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    httpLogger(req, res);
    requestContext.run({ reqId: String(req.id) }, next);
  };
}
