import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Types } from 'mongoose';
import { CurrentIdentity, Identified, Roles } from '../auth/access.decorators.js';
import { AppError } from '../core/errors/app-error.js';
import { type Identity } from '../core/identity/identity.js';
import { RateLimit } from '../core/rate-limit/rate-limit.decorator.js';
import { ParseObjectIdPipe } from '../core/validation/object-id.pipe.js';
import { COMMENT_LIMIT } from './comment-limit.js';
import { CommentQueryDto, CreateCommentDto } from './dto/comment.dto.js';
import { type EpisodeRef } from './episode-comment.repository.js';
import { EpisodeCommentService } from './episode-comment.service.js';

/** A season or episode number as the library files them (0 = specials). */
const episodeNumber = new ParseIntPipe({
  exceptionFactory: () => new AppError(400, 'bad_request', 'Season and episode are whole numbers.'),
});

function ref(titleId: Types.ObjectId, season: number, episode: number): EpisodeRef {
  if (season < 0 || episode < 0 || season > 10_000 || episode > 100_000)
    throw new AppError(400, 'bad_request', 'Season and episode are whole numbers from 0.');
  return { titleId, season, episode };
}

/** Comments on one episode; the same rate limit as a title's comments (one bucket for both). */
@ApiTags('comments')
@Controller('api/titles/:id/episodes/:season/:episode/comments')
export class EpisodeCommentsController {
  constructor(private readonly comments: EpisodeCommentService) {}

  @Post()
  @Identified()
  @RateLimit(COMMENT_LIMIT)
  add(
    @Param('id', ParseObjectIdPipe) id: Types.ObjectId,
    @Param('season', episodeNumber) season: number,
    @Param('episode', episodeNumber) episode: number,
    @Body() dto: CreateCommentDto,
    @CurrentIdentity() identity: Identity,
  ) {
    return this.comments.add(ref(id, season, episode), identity, dto.body);
  }

  @Get()
  list(
    @Param('id', ParseObjectIdPipe) id: Types.ObjectId,
    @Param('season', episodeNumber) season: number,
    @Param('episode', episodeNumber) episode: number,
    @Query() query: CommentQueryDto,
  ) {
    return this.comments.list(ref(id, season, episode), query.page, query.pageSize);
  }

  @Delete(':commentId')
  @Roles('admin')
  @HttpCode(204)
  async delete(
    @Param('id', ParseObjectIdPipe) id: Types.ObjectId,
    @Param('season', episodeNumber) season: number,
    @Param('episode', episodeNumber) episode: number,
    @Param('commentId', ParseObjectIdPipe) commentId: Types.ObjectId,
  ): Promise<void> {
    await this.comments.delete(ref(id, season, episode), commentId);
  }
}
