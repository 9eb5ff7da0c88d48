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
import { type Response } from 'express';
import { currentMonth, TenantUsageService } from '../usage/tenant-usage.service.js';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../../auth/access.decorators.js';
import { AppError } from '../../core/errors/app-error.js';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { isDefaultTenant } from '../../core/tenancy/tenant.js';
import { CreateTenantDto } from './dto/create-tenant.dto.js';
import { UpdateTenantDto } from './dto/update-tenant.dto.js';
import { tenantView } from './tenant-view.js';
import { TenantsService } from './tenants.service.js';

/**
 * The operator's tenant API: admins of the default site only. On a tenant's own host the API does not
 * exist (404), whoever asks.
 */
@ApiTags('tenants')
@Controller('api/tenants')
@Roles('admin')
export class TenantsController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly usage: TenantUsageService,
  ) {}

  @Get()
  async list() {
    operatorSite();
    return (await this.tenants.list()).map(tenantView);
  }

  @Post()
  async create(@Body() dto: CreateTenantDto) {
    operatorSite();
    return tenantView(await this.tenants.create(dto));
  }

  /** Every tenant's usage of a month (`?month=YYYY-MM`, default this one) as CSV, for invoicing. */
  @Get('usage.csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  async usageCsv(@Query('month') month: string | undefined, @Res({ passthrough: true }) res: Response) {
    operatorSite();
    const csv = await this.usage.csv(typeof month === 'string' ? month : undefined);
    res.setHeader(
      'content-disposition',
      `attachment; filename="tenant-usage-${month ?? currentMonth()}.csv"`,
    );
    return csv;
  }

  @Get(':id/usage')
  async usageOf(@Param('id') id: string, @Query('month') month: string | undefined) {
    operatorSite();
    return this.usage.month(await this.tenants.get(id), typeof month === 'string' ? month : undefined);
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    operatorSite();
    return tenantView(await this.tenants.get(id));
  }

  @Patch(':id')
  async update(@Param('id') id: string, @Body() dto: UpdateTenantDto) {
    operatorSite();
    return tenantView(await this.tenants.update(id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string) {
    operatorSite();
    await this.tenants.delete(id);
  }
}

function operatorSite(): void {
  if (!isDefaultTenant(TenantContext.current())) throw new AppError(404, 'not_found', 'Not found.');
}
