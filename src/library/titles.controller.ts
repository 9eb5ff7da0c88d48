import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Types } from 'mongoose';
import { ParseObjectIdPipe } from '../core/validation/object-id.pipe.js';
import { Roles } from '../auth/access.decorators.js';
import { TitleFacetsQueryDto, TitleQueryDto } from './dto/title-query.dto.js';
import { UpdateTitleDto } from './dto/update-title.dto.js';
import { presentTitle } from './library.presenter.js';
import { LibraryService } from './library.service.js';
import { EnrichmentRequests } from './metadata/enrichment-requests.js';
import { CatalogQueryService } from './catalog/catalog-query.service.js';
import { CatalogRebuildRequests } from './catalog/catalog-rebuild.job.js';

@ApiTags('library')
@Controller('api/titles')
export class TitlesController {
  constructor(
    private readonly library: LibraryService,
    private readonly catalog: CatalogQueryService,
    private readonly enrichment: EnrichmentRequests,
    private readonly rebuilds: CatalogRebuildRequests,
  ) {}

  /** Title cards: matching `q` best first, or the whole catalogue in `sort` order. */
  @Get()
  async list(@Query() query: TitleQueryDto) {
    const { q, page, pageSize, ...filter } = query;
    const paging = { ...filter, limit: pageSize, offset: (page - 1) * pageSize };
    const result = q?.trim() ? await this.catalog.search(q, paging) : await this.catalog.list(paging);
    return { ...result, page, pageSize };
  }

  /** How many titles per kind, genre and year (for filters). */
  @Get('facets')
  async facets(@Query() query: TitleFacetsQueryDto) {
    return this.catalog.facets(query);
  }

  /** Queues a rebuild of the catalog index from the database (answers stay served meanwhile). */
  @Post('reindex')
  @Roles('admin')
  @HttpCode(202)
  async reindex() {
    await this.rebuilds.request();
    return { queued: true };
  }

  @Get(':id')
  async get(@Param('id', ParseObjectIdPipe) id: Types.ObjectId) {
    return presentTitle(await this.library.requireTitle(id));
  }

  @Patch(':id')
  @Roles('admin')
  async update(@Param('id', ParseObjectIdPipe) id: Types.ObjectId, @Body() dto: UpdateTitleDto) {
    return presentTitle(await this.library.updateTitle(id, dto));
  }

  /** Asks a worker to describe the title again from the catalogues (locked fields stay as edited). */
  @Post(':id/enrich')
  @Roles('admin')
  @HttpCode(202)
  async enrich(@Param('id', ParseObjectIdPipe) id: Types.ObjectId) {
    await this.library.requireTitle(id);
    await this.enrichment.request(id);
    return { queued: true };
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  async delete(@Param('id', ParseObjectIdPipe) id: Types.ObjectId): Promise<void> {
    await this.library.deleteTitle(id);
  }

  @Delete(':id/files/:fileId')
  @Roles('admin')
  @HttpCode(204)
  async deleteFile(
    @Param('id', ParseObjectIdPipe) id: Types.ObjectId,
    @Param('fileId', ParseObjectIdPipe) fileId: Types.ObjectId,
  ): Promise<void> {
    await this.library.deleteFile(id, fileId);
  }

  @Delete(':id/seasons/:season/episodes/:episode')
  @Roles('admin')
  @HttpCode(204)
  async deleteEpisode(
    @Param('id', ParseObjectIdPipe) id: Types.ObjectId,
    @Param('season', ParseIntPipe) season: number,
    @Param('episode', ParseIntPipe) episode: number,
  ): Promise<void> {
    await this.library.deleteEpisode(id, season, episode);
  }
}
