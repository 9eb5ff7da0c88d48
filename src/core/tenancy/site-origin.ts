import { type AppConfig } from '../config/app-config.js';
import { type Tenant } from './tenant.js';

/**
 * Where absolute links of a site point: PUBLIC_URL for the default site, the tenant's first domain
 * (with PUBLIC_URL's scheme) for a tenant.
 */
export function siteOrigin(config: AppConfig, tenant: Tenant): string {
  const [domain] = tenant.domains;
  if (!domain) return config.http.publicUrl;
  return `${new URL(config.http.publicUrl).protocol}//${domain}`;
}
