import { Controller, Get, Inject, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { type Request, type Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { type Identity, type IdentifiedRequest } from '../../core/identity/identity.js';
import { SETTINGS_CACHE_MS, SettingsService } from '../../core/settings/settings.service.js';
import { SatelliteService } from '../../site/satellite/satellite.service.js';
import { SettingsFormDto } from '../dto/settings-form.dto.js';
import { formatAgo } from '../../core/util/format-units.js';
import { PanelExceptionFilter } from '../panel-exception.filter.js';
import { PanelRenderer, redirectWithFlash } from '../panel-renderer.js';
import { CsrfGuard } from '../security/csrf.guard.js';
import { PanelAccessGuard } from '../security/panel-access.guard.js';
import { configuredSecrets } from './configured-secrets.js';
import { overridesFromForm, SETTING_FIELDS, settingRows } from './settings-fields.js';

type PanelRequest = Request & IdentifiedRequest & { identity: Identity };

/** `/admin/settings`: run-time overrides of env defaults, and which secrets are configured. Admins only. */
@ApiExcludeController()
@Controller('admin/settings')
@UseGuards(PanelAccessGuard, CsrfGuard)
@UseFilters(PanelExceptionFilter)
export class SettingsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly settings: SettingsService,
    private readonly renderer: PanelRenderer,
    private readonly satellite: SatelliteService,
  ) {}

  @Get()
  async page(@Req() req: PanelRequest, @Res() res: Response): Promise<void> {
    await this.render(req, res, 200, {});
  }

  /**
   * Validated here rather than by the global pipe so a mistake re-shows the form with the admin's
   * input and a message beside each wrong field, instead of an error page.
   */
  @Post()
  async save(@Req() req: PanelRequest, @Res() res: Response): Promise<void> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const known = new Set<string>(['_csrf', ...SETTING_FIELDS.map((field) => field.name)]);
    const form = plainToInstance(SettingsFormDto, body);
    const errors: Record<string, string> = {};
    for (const error of await validate(form)) {
      // Not a number at all says so, rather than which bound "soon" misses.
      const constraints = error.constraints ?? {};
      errors[error.property] = constraints.isInt ?? Object.values(constraints)[0] ?? 'Invalid value.';
    }
    const unknown = Object.keys(body).filter((key) => !known.has(key));
    if (unknown.length > 0 || Object.keys(errors).length > 0) {
      const problem = unknown.length > 0 ? `Unknown fields: ${unknown.join(', ')}.` : undefined;
      return this.render(req, res, 400, { errors, problem, submitted: body });
    }
    await this.settings.update(overridesFromForm(form), req.identity.name);
    redirectWithFlash(
      res,
      '/admin/settings',
      `Settings saved; every process applies them within ${SETTINGS_CACHE_MS / 1000} s.`,
    );
  }

  private async render(
    req: PanelRequest,
    res: Response,
    status: number,
    state: { errors?: Record<string, string>; problem?: string; submitted?: Record<string, unknown> },
  ): Promise<void> {
    const { updatedAt, updatedBy, ...overrides } = await this.settings.overrides();
    this.renderer.send(req, res, {
      view: 'settings',
      title: 'Settings',
      status,
      data: {
        rows: settingRows(this.settings.defaults, overrides, state.errors ?? {}, state.submitted),
        invalid: state.errors && Object.keys(state.errors).length > 0,
        problem: state.problem,
        updated: updatedAt ? `${formatAgo(updatedAt)} by ${updatedBy ?? 'unknown'}` : undefined,
        satellite: await this.satelliteSection(),
        cacheSeconds: SETTINGS_CACHE_MS / 1000,
        secrets: configuredSecrets(this.config),
        storage: this.config.storage,
      },
    });
  }

  private async satelliteSection() {
    const view = await this.satellite.view();
    return {
      version: view.version,
      origins: view.origins.join('\n'),
      mirrors: view.mirrors,
      publicKey: view.publicKey,
      updated: view.updatedAt ? formatAgo(view.updatedAt) : undefined,
    };
  }
}
