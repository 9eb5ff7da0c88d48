import { type Request, type RequestHandler, type Response } from 'express';
import { AppError } from '../errors/app-error.js';
import { wantsErrorPage } from '../views/error-page.js';
import { type ViewRenderer } from '../views/view-renderer.js';
import { TenantContext } from './tenant-context.js';
import { featureOfPath } from './tenant-features.js';
import { siteName, type TenantResolver } from './tenant-resolver.js';
import { DEFAULT_TENANT, type Tenant } from './tenant.js';

const HEADINGS: Readonly<Record<number, string>> = {
  421: 'Site not found',
  503: 'Temporarily unavailable',
};

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
      const feature = featureOfPath(req.path);
      if (feature && !resolution.tenant.features[feature]) {
        const error = new AppError(404, 'not_found', 'This site does not offer that.');
        refuse(req, res, error, resolution.tenant, views);
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
  const heading = HEADINGS[status] ?? 'Nothing here';
  const name = tenant ? siteName(tenant) : undefined;
  const data = {
    pageTitle: heading,
    heading,
    message,
    status,
    siteName: name,
    retry: status === 503 && name,
  };
  // Rendered in the tenant's context, so the layout carries its name and branding.
  const html = TenantContext.run(tenant ?? DEFAULT_TENANT, () =>
    views.render('site/unavailable', data, 'site'),
  );
  res.status(status).type('html').send(html);
}
