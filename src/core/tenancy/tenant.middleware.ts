import { type Request, type RequestHandler, type Response } from 'express';
import { type AppError } from '../errors/app-error.js';
import { wantsErrorPage } from '../views/error-page.js';
import { type ViewRenderer } from '../views/view-renderer.js';
import { TenantContext } from './tenant-context.js';
import { siteName, type TenantResolver } from './tenant-resolver.js';
import { type Tenant } from './tenant.js';

/** What the tenant middleware leaves on the request (besides the async context). */
export interface TenantRequest {
  tenant?: Tenant;
}

/**
 * Resolves the tenant once per request and runs the rest of the request inside its context; refused
 * hosts (unknown with TENANT_UNKNOWN_HOST=reject, suspended tenants) are answered here: JSON
 * `{error, message}`, or for a browser a page in the site's style (the tenant's own name when known).
 */
export function tenantMiddleware(resolver: TenantResolver, views: ViewRenderer): RequestHandler {
  return (req, res, next) => {
    resolver.resolve(req).then((resolution) => {
      if ('refusal' in resolution) {
        refuse(req, res, resolution.refusal, resolution.tenant, views);
        return;
      }
      (req as Request & TenantRequest).tenant = resolution.tenant;
      TenantContext.run(resolution.tenant, next);
    }, next);
  };
}

function refuse(
  req: Request,
  res: Response,
  error: AppError,
  tenant: Tenant | undefined,
  views: ViewRenderer,
) {
  const status = error.getStatus();
  const message = error.message;
  res.setHeader('Cache-Control', 'no-store');
  if (status === 503) res.setHeader('Retry-After', '3600');
  if (!wantsErrorPage(req)) {
    res.status(status).json({ error: error.code, message });
    return;
  }
  const heading = status === 503 ? 'Temporarily unavailable' : 'Site not found';
  const html = views.render(
    'site/unavailable',
    { pageTitle: heading, heading, message, status, siteName: tenant ? siteName(tenant) : undefined },
    'site',
  );
  res.status(status).type('html').send(html);
}
