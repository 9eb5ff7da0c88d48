import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { type Request, type Response } from 'express';
import { CsrfTokens } from '../../admin/security/csrf-tokens.js';
import { type IdentifiedRequest } from '../../core/identity/identity.js';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { DEFAULT_TENANT_ID } from '../../core/tenancy/tenant.js';
import { ViewRenderer } from '../../core/views/view-renderer.js';
import { type AdPageRequest } from '../../franchise/ads/page/ad-page.js';
import { SatelliteService } from '../satellite/satellite.service.js';

/** Which header link is the current section. */
export type SiteSection = 'home' | 'browse' | 'music' | 'account' | 'none';

export interface SitePage {
  /** `views/site/<view>.hbs`. */
  view: string;
  title: string;
  section?: SiteSection;
  /** This page's own script under `/assets/site/` (one small module per page, besides site.js). */
  script?: string;
  /** Stylesheets of its own under `/assets/site/`, after site.css (a page with much styling: the reader). */
  styles?: string[];
  status?: number;
  /** The search box's current text. */
  query?: string;
  data?: Record<string, unknown>;
  /** The page has forms that post without JavaScript: give it a CSRF token (`csrf` in the view). */
  forms?: boolean;
}

/**
 * Renders a viewer page inside the site layout: who is signed in (for the header), the current section,
 * the page's script. Pages are personal (progress, account), so nothing is cached by shared caches.
 */
@Injectable()
export class SitePageRenderer {
  private satelliteConfig?: string;

  constructor(
    private readonly views: ViewRenderer,
    private readonly modules: ModuleRef,
    private readonly csrf: CsrfTokens,
  ) {}

  /**
   * The install's satellite key and mirrors for the fail-over module (views/assets/site/satellite.mjs);
   * none when no mirrors are configured. SatelliteService lives in the site module that imports this
   * one, hence the lookup rather than an injection. The operator's site only: its mirrors list the
   * operator's origins, and a tenant's installed app that failed over there would land on another
   * site (other accounts, the whole library).
   */
  private satellite(): string | undefined {
    if (TenantContext.current().id !== DEFAULT_TENANT_ID) return undefined;
    if (this.satelliteConfig === undefined) {
      const config = this.modules.get(SatelliteService, { strict: false }).clientConfig();
      this.satelliteConfig = config.mirrors.length > 0 ? JSON.stringify(config) : '';
    }
    return this.satelliteConfig || undefined;
  }

  send(req: IdentifiedRequest, res: Response, page: SitePage): void {
    const identity = req.identity?.kind === 'user' ? req.identity : undefined;
    const section = page.section ?? 'none';
    const html = this.views.render(
      `site/${page.view}`,
      {
        ...page.data,
        pageTitle: page.title,
        query: page.query,
        scripts: page.script ? [page.script] : [],
        styles: page.styles ?? [],
        user: identity ? { name: identity.name, role: identity.role } : undefined,
        isAdmin: identity?.role === 'admin',
        nav: { [section]: true },
        satelliteConfig: this.satellite(),
        csrf: page.forms ? this.csrf.issue(req as IdentifiedRequest & Request, res) : undefined,
        // This viewer's ads on this page (slots, the player's breaks), when the ads module found any.
        ads: (req as AdPageRequest).adPage,
      },
      'site',
    );
    res.setHeader('Cache-Control', 'private, no-cache');
    res
      .status(page.status ?? 200)
      .type('html')
      .send(html);
  }
}
