import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { CurrentIdentity, Roles } from '../../auth/access.decorators.js';
import { UserService } from '../../auth/user.service.js';
import { AppError } from '../../core/errors/app-error.js';
import { type Identity } from '../../core/identity/identity.js';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { isDefaultTenant } from '../../core/tenancy/tenant.js';
import { requestedMonth, TenantUsageService } from '../usage/tenant-usage.service.js';
import { CreateTenantAdminDto } from './dto/create-tenant-admin.dto.js';
import { CreateTenantDto } from './dto/create-tenant.dto.js';
import { UpdateTenantDto } from './dto/update-tenant.dto.js';
import { tenantView } from './tenant-view.js';
import { TenantsService } from './tenants.service.js';

/** What a tenant admin may change of its own tenant; the rest (domains, status, plan, quotas, features) is the operator's. */
const TENANT_ADMIN_FIELDS = new Set(['name', 'branding', 'scope']);

/**
 * The tenant API. The operator (admins of the default site) manages every tenant; on a tenant's own
 * host the operator's part does not exist (404). A `tenant-admin` reads and edits its own tenant only,
 * on its own host: another tenant's id is 404, the operator's endpoints 403.
 */
@ApiTags('tenants')
@Controller('api/tenants')
export class TenantsController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly usage: TenantUsageService,
    private readonly users: UserService,
  ) {}

  @Get()
  @Roles('admin')
  async list() {
    operatorSite();
    return (await this.tenants.list()).map(tenantView);
  }

  @Post()
  @Roles('admin')
  async create(@Body() dto: CreateTenantDto) {
    operatorSite();
    return tenantView(await this.tenants.create(dto));
  }

  /** Every tenant's usage of a month (`?month=YYYY-MM`, default this one) as CSV, for invoicing. */
  @Get('usage.csv')
  @Roles('admin')
  @Header('content-type', 'text/csv; charset=utf-8')
  async usageCsv(@Query('month') query: unknown, @Res({ passthrough: true }) res: Response) {
    operatorSite();
    const month = requestedMonth(query);
    const csv = await this.usage.csv(month);
    res.setHeader('content-disposition', `attachment; filename="tenant-usage-${month}.csv"`);
    return csv;
  }

  @Get(':id/usage')
  @Roles('admin', 'tenant-admin')
  async usageOf(
    @Param('id') id: string,
    @Query('month') month: unknown,
    @CurrentIdentity() identity: Identity,
  ) {
    allowed(identity, id);
    return this.usage.month(await this.tenants.get(id), requestedMonth(month));
  }

  /** A `tenant-admin` account of the tenant (it signs in on the tenant's own host). */
  @Post(':id/admins')
  @Roles('admin')
  async createAdmin(@Param('id') id: string, @Body() dto: CreateTenantAdminDto) {
    operatorSite();
    const tenant = await this.tenants.get(id);
    const user = await TenantContext.run(tenant, () =>
      this.users.create({ username: dto.username, password: dto.password, role: 'tenant-admin' }),
    );
    return { ...user, tenantId: tenant.id };
  }

  @Get(':id')
  @Roles('admin', 'tenant-admin')
  async get(@Param('id') id: string, @CurrentIdentity() identity: Identity) {
    allowed(identity, id);
    return tenantView(await this.tenants.get(id));
  }

  @Patch(':id')
  @Roles('admin', 'tenant-admin')
  async update(@Param('id') id: string, @Body() dto: UpdateTenantDto, @CurrentIdentity() identity: Identity) {
    allowed(identity, id);
    if (identity.role === 'tenant-admin') {
      const reserved = Object.keys(dto).filter((field) => !TENANT_ADMIN_FIELDS.has(field));
      if (reserved.length > 0) {
        throw new AppError(403, 'forbidden', `Only the operator changes ${reserved.join(', ')}.`);
      }
    }
    return tenantView(await this.tenants.update(id, dto));
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  async delete(@Param('id') id: string, @Query('purge') purge: string | undefined) {
    operatorSite();
    await this.tenants.delete(id, purge === 'true');
  }
}

function operatorSite(): void {
  if (!isDefaultTenant(TenantContext.current())) throw new AppError(404, 'not_found', 'Not found.');
}

/** The operator on its own site, or a tenant admin for its own tenant on that tenant's host. */
function allowed(identity: Identity, id: string): void {
  if (identity.role === 'admin') return operatorSite();
  const tenant = TenantContext.current();
  if (isDefaultTenant(tenant) || tenant.id !== id)
    throw new AppError(404, 'not_found', 'No tenant has this id.');
}
