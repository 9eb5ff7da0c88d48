import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Types } from 'mongoose';
import { ParseObjectIdPipe } from '../core/validation/object-id.pipe.js';
import { presentFile } from './library.presenter.js';
import { LibraryService } from './library.service.js';

@ApiTags('library')
@Controller('api/files')
export class FilesController {
  constructor(private readonly library: LibraryService) {}

  @Get(':id')
  async get(@Param('id', ParseObjectIdPipe) id: Types.ObjectId) {
    return presentFile(await this.library.requireFile(id));
  }
}
