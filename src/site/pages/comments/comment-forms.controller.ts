import { Body, Controller, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { type Types } from 'mongoose';
import { PanelFormDto } from '../../../admin/dto/panel-form.dto.js';
import { CsrfGuard } from '../../../admin/security/csrf.guard.js';
import { CurrentIdentity, Identified, Roles } from '../../../auth/access.decorators.js';
import { type Identity } from '../../../core/identity/identity.js';
import { RateLimit } from '../../../core/rate-limit/rate-limit.decorator.js';
import { ParseObjectIdPipe } from '../../../core/validation/object-id.pipe.js';
import { COMMENT_LIMIT } from '../../../library/comment-limit.js';
import { CommentService } from '../../../library/comment.service.js';
import { EpisodeCommentService } from '../../../library/episode-comment.service.js';
import { PlayerPageService } from '../player/player-page.service.js';
import { pageObjectId } from '../title/title-page.service.js';
import { CommentFormDto } from './dto/comment-form.dto.js';

/**
 * Comments without JavaScript: the title and player pages' comment forms post here (CSRF-checked like
 * the account forms) and land back on the page; admins' delete buttons are forms too. With JavaScript
 * the page's script uses the comments API instead and these routes are not reached.
 */
@ApiExcludeController()
@Controller()
@UseGuards(CsrfGuard)
export class CommentFormsController {
  constructor(
    private readonly titleComments: CommentService,
    private readonly episodeComments: EpisodeCommentService,
    private readonly players: PlayerPageService,
  ) {}

  @Post('title/:id/comments')
  @Identified()
  @RateLimit(COMMENT_LIMIT)
  async addToTitle(
    @Param('id') id: string,
    @Body() form: CommentFormDto,
    @CurrentIdentity() identity: Identity,
    @Res() res: Response,
  ): Promise<void> {
    const titleId = pageObjectId(id, 'title');
    await this.titleComments.add(titleId, identity, form.body);
    res.redirect(303, `/title/${String(titleId)}#comments-heading`);
  }

  @Post('title/:id/comments/:commentId/delete')
  @Roles('admin')
  async deleteFromTitle(
    @Param('id') id: string,
    @Param('commentId', ParseObjectIdPipe) commentId: Types.ObjectId,
    @Body() _form: PanelFormDto,
    @Res() res: Response,
  ): Promise<void> {
    const titleId = pageObjectId(id, 'title');
    await this.titleComments.delete(titleId, commentId);
    res.redirect(303, `/title/${String(titleId)}#comments-heading`);
  }

  @Post('play/:fileId/comments')
  @Identified()
  @RateLimit(COMMENT_LIMIT)
  async addToEpisode(
    @Param('fileId') fileId: string,
    @Body() form: CommentFormDto,
    @CurrentIdentity() identity: Identity,
    @Res() res: Response,
  ): Promise<void> {
    const id = pageObjectId(fileId, 'video');
    await this.episodeComments.add(await this.players.episodeOf(id), identity, form.body);
    res.redirect(303, `/play/${String(id)}#comments-heading`);
  }

  @Post('play/:fileId/comments/:commentId/delete')
  @Roles('admin')
  async deleteFromEpisode(
    @Param('fileId') fileId: string,
    @Param('commentId', ParseObjectIdPipe) commentId: Types.ObjectId,
    @Body() _form: PanelFormDto,
    @Res() res: Response,
  ): Promise<void> {
    const id = pageObjectId(fileId, 'video');
    await this.episodeComments.delete(await this.players.episodeOf(id), commentId);
    res.redirect(303, `/play/${String(id)}#comments-heading`);
  }
}
