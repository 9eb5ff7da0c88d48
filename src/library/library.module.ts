import { type DynamicModule, Module } from '@nestjs/common';
import { Role } from '../app/roles.js';
import { CommentRepository } from './comment.repository.js';
import { CommentService } from './comment.service.js';
import { CommentsController } from './comments.controller.js';
import { FilesController } from './files.controller.js';
import { LibraryService } from './library.service.js';
import { MediaFileRepository } from './media-file.repository.js';
import { PendingDeletionRepository } from './pending-deletion.repository.js';
import { TitleKeyRepository } from './title-key.repository.js';
import { TitleSearchService } from './title-search.service.js';
import { TitleRepository } from './title.repository.js';
import { TitlesController } from './titles.controller.js';

const SERVICES = [
  TitleRepository,
  TitleKeyRepository,
  MediaFileRepository,
  PendingDeletionRepository,
  CommentRepository,
  LibraryService,
  TitleSearchService,
  CommentService,
];

/**
 * The library index. Every role that has it gets the services (workers write, streamers read); only
 * the manager serves the HTTP API.
 */
@Module({})
export class LibraryModule {
  static forRoles(roles: readonly Role[]): DynamicModule {
    return {
      module: LibraryModule,
      // Other modules (stream, ingest) call LibraryService; importing a role-built module twice would
      // build it twice, so it is global instead.
      global: true,
      controllers: roles.includes(Role.Manager)
        ? [TitlesController, FilesController, CommentsController]
        : [],
      providers: SERVICES,
      exports: SERVICES,
    };
  }
}
