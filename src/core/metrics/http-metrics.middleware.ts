import { type Request, type Response, type NextFunction } from 'express';
import { type MetricsRegistry } from './metrics-registry.js';

/**
 * Times every request and labels it with the route template (`/api/titles/:id`, never the concrete
 * id, to keep label cardinality bounded); requests no route matched count as `unmatched`.
 */
export function httpMetricsMiddleware(metrics: MetricsRegistry) {
  return (req: Request, res: Response, next: NextFunction) => {
    const stop = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const template = (req.route as { path?: string } | undefined)?.path;
      const route = typeof template === 'string' ? `${req.baseUrl}${template}` : 'unmatched';
      stop({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
