import { type NextFunction, type Request, type Response } from 'express';

/**
 * A page whose origin failed probes the other origins' `/healthz` from the browser: those answers
 * must be readable cross-origin (they hold nothing private).
 */
export function healthzCors(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('cross-origin-resource-policy', 'cross-origin');
  next();
}
