import { Controller, Get, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { type Request, type Response } from 'express';
import { UserService } from '../../auth/user.service.js';
import { AppError } from '../../core/errors/app-error.js';
import { type Identity, type IdentifiedRequest } from '../../core/identity/identity.js';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { isDefaultTenant, TITLE_KINDS } from '../../core/tenancy/tenant.js';
import { UpdateTenantDto } from '../../franchise/tenants/dto/update-tenant.dto.js';
import { TenantsService } from '../../franchise/tenants/tenants.service.js';
import { TenantUsageService } from '../../franchise/usage/tenant-usage.service.js';
import { PanelExceptionFilter } from '../panel-exception.filter.js';
import { PanelRenderer, redirectWithFlash } from '../panel-renderer.js';
import { CsrfGuard } from '../security/csrf.guard.js';
import { PanelAccessGuard, PanelRoles } from '../security/panel-access.guard.js';

type PanelRequest = Request & IdentifiedRequest & { identity: Identity };
type Form = Record<string, unknown>;

const GIB = 1024 ** 3;

/**
 * `/admin/site`: a franchise tenant admin's reduced panel for its own tenant (the one whose host it is
 * on): branding, scope and collection, its users, its usage, and a link to its ads.
 */
@ApiExcludeController()
@Controller('admin/site')
@PanelRoles('tenant-admin')
@UseGuards(PanelAccessGuard, CsrfGuard)
@UseFilters(PanelExceptionFilter)
export class SitePanelController {
  constructor(
    private readonly renderer: PanelRenderer,
    private readonly tenants: TenantsService,
    private readonly usage: TenantUsageService,
    private readonly users: UserService,
  ) {}

  @Get()
  async page(@Req() req: PanelRequest, @Res() res: Response): Promise<void> {
    const tenant = await this.tenants.get(this.ownTenantId());
    const [month, users] = await Promise.all([this.usage.month(tenant), this.users.listForTenant(tenant.id)]);
    const colors = tenant.branding.colors ?? {};
    this.renderer.send(req, res, {
      view: 'site',
      title: `Site: ${tenant.name}`,
      data: {
        tenant,
        colors,
        kinds: TITLE_KINDS.map((kind) => ({ kind, checked: tenant.scope.kinds.includes(kind) })),
        filtered: tenant.scope.mode === 'filtered',
        genres: tenant.scope.genres.join(', '),
        collections: tenant.scope.collections.join('\n'),
        users,
        usage: {
          gib: month.totalGib,
          quotaGib: month.quotaGib,
          overQuota: month.overQuota,
          days: month.days
            .filter((day) => day.bytes > 0)
            .map((day) => ({ ...day, mib: (day.bytes / 1024 ** 2).toFixed(1) })),
          month: month.month,
        },
        quotas: tenant.quotas,
        monthlyGib: tenant.quotas.gibPerMonth ? tenant.quotas.gibPerMonth * GIB : undefined,
      },
    });
  }

  @Post('branding')
  async branding(@Req() req: PanelRequest, @Res() res: Response): Promise<void> {
    const form = readForm(req.body, ['siteName', 'footer', 'primary', 'background', 'text']);
    // An emptied field takes the value away (the default again); one not sent leaves it.
    const text = (name: keyof typeof form.text) => (form.text[name] === '' ? null : form.text[name]);
    await this.save(
      res,
      {
        branding: {
          siteName: text('siteName'),
          footer: text('footer'),
          colors: { primary: text('primary'), background: text('background'), text: text('text') },
        },
      },
      form.problems,
    );
  }

  @Post('scope')
  async scope(@Req() req: PanelRequest, @Res() res: Response): Promise<void> {
    const form = readForm(req.body, ['mode', 'genres', 'collections'], ['kinds']);
    const list = (values: string[], separator: RegExp) =>
      values
        .flatMap((entry) => entry.split(separator))
        .map((entry) => entry.trim())
        .filter(Boolean);
    await this.save(
      res,
      {
        scope: {
          mode: form.text.mode === 'filtered' ? 'filtered' : 'all',
          kinds: list(form.list.kinds, /,/),
          genres: list([form.text.genres ?? ''], /,/),
          collections: list([form.text.collections ?? ''], /\s+/),
        },
      },
      form.problems,
    );
  }

  /** A viewer account of this site (it signs in on this site's host only). */
  @Post('users')
  async addUser(@Req() req: PanelRequest, @Res() res: Response): Promise<void> {
    this.ownTenantId();
    const form = (req.body ?? {}) as Form;
    const username = typeof form.username === 'string' ? form.username.trim() : '';
    const password = typeof form.password === 'string' ? form.password : '';
    if (!/^[A-Za-z0-9._-]{3,64}$/.test(username) || password.length < 8 || password.length > 200) {
      return redirectWithFlash(
        res,
        '/admin/site',
        'Account not created: a username of 3-64 letters, digits, ".", "_" or "-" and a password of at least 8 characters.',
      );
    }
    try {
      await this.users.create({ username, password, role: 'viewer' });
    } catch (error) {
      if (error instanceof AppError && error.getStatus() === 409) {
        return redirectWithFlash(res, '/admin/site', `Account not created: ${error.message}`);
      }
      throw error;
    }
    redirectWithFlash(res, '/admin/site', `Account ${username} created.`);
  }

  /**
   * Validates like the API (same DTO) and saves; problems (the form's own, as read, and the DTO's)
   * come back as the page's message.
   */
  private async save(res: Response, change: Record<string, unknown>, formProblems: string[]): Promise<void> {
    const dto = plainToInstance(UpdateTenantDto, change);
    const problems = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (formProblems.length > 0 || problems.length > 0) {
      const messages = [...formProblems, ...problems.flatMap(describe)];
      return redirectWithFlash(res, '/admin/site', `Not saved: ${messages.join('; ').slice(0, 250)}`);
    }
    await this.tenants.update(this.ownTenantId(), dto);
    redirectWithFlash(res, '/admin/site', 'Saved.');
  }

  /** The tenant whose host this is; on the operator's own site there is no such page. */
  private ownTenantId(): string {
    const tenant = TenantContext.current();
    if (isDefaultTenant(tenant)) throw new AppError(404, 'not_found', 'This page belongs to a tenant site.');
    return tenant.id;
  }
}

function describe(error: { constraints?: Record<string, string>; children?: unknown[] }): string[] {
  return [
    ...Object.values(error.constraints ?? {}),
    ...((error.children ?? []) as (typeof error)[]).flatMap(describe),
  ];
}

/**
 * A posted panel form, read field by field: `texts` are sent once, `lists` once per checked box. As
 * with the API's forms, a field the form does not have (`kinds[a]=movie`) or one sent twice is a
 * problem to show, not something to drop while answering "Saved.".
 */
function readForm<T extends string, L extends string = never>(
  body: unknown,
  texts: readonly T[],
  lists: readonly L[] = [],
) {
  const text: Partial<Record<T, string>> = {};
  const list = {} as Record<L, string[]>;
  for (const name of lists) list[name] = [];
  const problems: string[] = [];
  for (const [name, value] of Object.entries((body ?? {}) as Form)) {
    if (name === '_csrf') continue;
    if ((texts as readonly string[]).includes(name)) {
      if (typeof value === 'string') text[name as T] = value;
      else problems.push(`${name} must be sent once, as text`);
    } else if ((lists as readonly string[]).includes(name)) {
      const values: unknown[] = Array.isArray(value) ? value : [value];
      if (values.every((one) => typeof one === 'string')) list[name as L] = values as string[];
      else problems.push(`${name} must be text`);
    } else {
      problems.push(`${name} is not a field of this form`);
    }
  }
  return { text, list, problems };
}
