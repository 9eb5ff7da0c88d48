import { Controller, Get, HttpException, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { type Request, type Response } from 'express';
import { type Identity, type IdentifiedRequest } from '../../../core/identity/identity.js';
import { PanelExceptionFilter } from '../../../admin/panel-exception.filter.js';
import { PanelRenderer, redirectWithFlash } from '../../../admin/panel-renderer.js';
import { CsrfGuard } from '../../../admin/security/csrf.guard.js';
import { PanelAccessGuard, PanelRoles } from '../../../admin/security/panel-access.guard.js';
import { adOwnerOf } from '../ad-owner.js';
import { AdsAdminService } from '../ads-admin.service.js';
import { AdsSettings } from '../dto/ads-settings.dto.js';
import { AD_EVENTS, utcDay } from '../tracking/ad-event.js';
import { AdStatsService } from '../tracking/ad-stats.service.js';
import { formFromSettings, settingsFromForm } from './ads-form.js';

type PanelRequest = Request & IdentifiedRequest & { identity: Identity };

const STATS_DAYS = 14;

/** Every message of a validation tree, with the field path (`slots.header.imageUrl: …`). */
function messages(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((error) => {
    const here = path ? `${path}.${error.property}` : error.property;
    return [
      ...Object.values(error.constraints ?? {}).map((message) => `${here}: ${message}`),
      ...messages(error.children ?? [], here),
    ];
  });
}

/**
 * `/admin/ads`: the owner's ad settings (VAST tag, breaks, house ad, display slots, allowed origins,
 * link shortener), its ad-free accounts and the last two weeks' ad statistics. Admins only for now.
 */
@ApiExcludeController()
@Controller('admin/ads')
@PanelRoles('admin', 'tenant-admin')
@UseGuards(PanelAccessGuard, CsrfGuard)
@UseFilters(PanelExceptionFilter)
export class AdsAdminController {
  constructor(
    private readonly ads: AdsAdminService,
    private readonly stats: AdStatsService,
    private readonly renderer: PanelRenderer,
  ) {}

  @Get()
  async page(@Req() req: PanelRequest, @Res() res: Response): Promise<void> {
    await this.render(req, res, 200);
  }

  /** Validated here so a mistake re-shows the page with the reasons, not an error page. */
  @Post()
  async save(@Req() req: PanelRequest, @Res() res: Response): Promise<void> {
    const plain = settingsFromForm(req.body);
    const settings = plainToInstance(AdsSettings, plain);
    const problems = messages(await validate(settings, { whitelist: true, forbidNonWhitelisted: true }));
    if (problems.length > 0) return this.render(req, res, 400, problems);
    try {
      await this.ads.saveSettings(adOwnerOf(req), settings, req.identity.name);
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() < 500) {
        const body = error.getResponse() as { message?: string };
        return this.render(req, res, 400, [String(body.message ?? error.message)]);
      }
      throw error;
    }
    redirectWithFlash(res, '/admin/ads', 'Ad settings saved.');
  }

  @Post('accounts/:userId')
  async setAdFree(
    @Req() req: PanelRequest,
    @Res() res: Response,
    @Param('userId') userId: string,
  ): Promise<void> {
    const adFree = (req.body as { adFree?: string } | undefined)?.adFree === 'true';
    const account = await this.ads.setAdFree(adOwnerOf(req), userId, adFree, req.identity.name);
    redirectWithFlash(
      res,
      '/admin/ads',
      `${account.username} ${adFree ? 'sees no ads now' : 'sees ads again'}.`,
    );
  }

  private async render(
    req: PanelRequest,
    res: Response,
    status: number,
    problems: string[] = [],
  ): Promise<void> {
    const owner = adOwnerOf(req);
    const today = utcDay(new Date());
    const from = utcDay(new Date(Date.now() - (STATS_DAYS - 1) * 86_400_000));
    const [settings, accounts, stats] = await Promise.all([
      this.ads.settingsOf(owner),
      this.ads.accounts(owner),
      this.stats.stats(owner, from, today),
    ]);
    // After a mistake the form shows what was typed (its shape is the settings', its values unchecked).
    const shown = problems.length > 0 ? (settingsFromForm(req.body) as unknown as AdsSettings) : settings;
    this.renderer.send(req, res, {
      view: 'ads',
      title: 'Ads',
      status,
      data: {
        form: formFromSettings(shown),
        problems,
        accounts,
        events: AD_EVENTS,
        stats: {
          days: [...stats.days]
            .reverse()
            .map((day) => ({ day: day.day, values: AD_EVENTS.map((event) => day.counts[event] ?? 0) })),
          totals: AD_EVENTS.map((event) => stats.totals[event] ?? 0),
          house: ['impression', 'click'].map((event) => ({
            event,
            count: stats.totals[`house:${event}`] ?? 0,
          })),
        },
      },
    });
  }
}
