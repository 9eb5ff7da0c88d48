import { siteName } from './tenant-resolver.js';
import { isDefaultTenant, type Tenant, type TenantFeatures } from './tenant.js';

/** What the site layout shows of the current site: its name, images, footer and features. */
export interface SiteBrand {
  name: string;
  logo?: string;
  favicon?: string;
  footer?: string;
  /** The tenant has colors of its own: the layout links `/site/brand.css`. */
  brandCss: boolean;
  features: TenantFeatures;
}

export const INSTALL_NAME = 'StreamVault';

export function siteBrand(tenant: Tenant): SiteBrand {
  if (isDefaultTenant(tenant)) return { name: INSTALL_NAME, brandCss: false, features: tenant.features };
  const { logo, favicon, footer, colors } = tenant.branding;
  return {
    name: siteName(tenant),
    logo,
    favicon,
    footer,
    brandCss: Boolean(colors && Object.values(colors).some(Boolean)),
    features: tenant.features,
  };
}

/**
 * The tenant's colors as the site stylesheet's custom properties. Values are `#rgb`/`#rrggbb`
 * (validated when stored), so nothing else can reach the stylesheet.
 */
export function brandStylesheet(tenant: Tenant): string {
  const colors = tenant.branding.colors ?? {};
  const hex = (value: string | undefined) => (value && /^#[0-9a-fA-F]{3,6}$/.test(value) ? value : undefined);
  // Header and cards take the page's background, secondary text the text color, so a light theme
  // keeps its contrast; the accent colors links (buttons keep their own background).
  const rules = [
    hex(colors.background) && `--bg: ${colors.background}; --card: ${colors.background};`,
    hex(colors.text) && `--fg: ${colors.text}; --muted: ${colors.text}; --line: ${colors.text};`,
    hex(colors.primary) && `--accent: ${colors.primary};`,
  ].filter(Boolean);
  // Form controls have dark fills of their own in site.css; on a tenant background they take its fill.
  const controls = hex(colors.background)
    ? 'input, select, textarea, button:not(.primary):not(.danger), .button:not(.primary) { background: var(--bg); }\n'
    : '';
  return `/* ${tenant.slug} */\n:root { ${rules.join(' ')} }\n${controls}`;
}
