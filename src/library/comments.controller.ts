import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Types } from 'mongoose';
import { CurrentIdentity, Identified, Roles } from '../auth/access.decorators.js';
import { type Identity } from '../core/identity/identity.js';
import { RateLimit } from '../core/rate-limit/rate-limit.decorator.js';
import { ParseObjectIdPipe } from '../core/validation/object-id.pipe.js';
import { COMMENT_LIMIT } from './comment-limit.js';
import { CommentQueryDto, CreateCommentDto } from './dto/comment.dto.js';
import { CommentService } from './comment.service.js';

@ApiTags('comments')
@Controller('api/titles/:id/comments')
export class CommentsController {
  constructor(private readonly comments: CommentService) {}

  @Post()
  @Identified()
  @RateLimit(COMMENT_LIMIT)
  add(
    @Param('id', ParseObjectIdPipe) id: Types.ObjectId,
    @Body() dto: CreateCommentDto,
    @CurrentIdentity() identity: Identity,
  ) {
    return this.comments.add(id, identity, dto.body);
  }

  @Get()
  list(@Param('id', ParseObjectIdPipe) id: Types.ObjectId, @Query() query: CommentQueryDto) {
    return this.comments.list(id, query.page, query.pageSize);
  }

  @Delete(':commentId')
  @Roles('admin')
  @HttpCode(204)
  async delete(
    @Param('id', ParseObjectIdPipe) id: Types.ObjectId,
    @Param('commentId', ParseObjectIdPipe) commentId: Types.ObjectId,
  ): Promise<void> {
    await this.comments.delete(id, commentId);
  }
}
