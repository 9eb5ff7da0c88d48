import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Types } from 'mongoose';
import { AppError } from '../core/errors/app-error.js';
import { ParseObjectIdPipe } from '../core/validation/object-id.pipe.js';
import { presentFile } from './library.presenter.js';
import { MediaFileRepository } from './media-file.repository.js';

@ApiTags('library')
@Controller('api/files')
export class FilesController {
  constructor(private readonly files: MediaFileRepository) {}

  @Get(':id')
  async get(@Param('id', ParseObjectIdPipe) id: Types.ObjectId) {
    const file = await this.files.findById(id);
    if (!file) throw new AppError(404, 'not_found', `No file with id ${String(id)}.`);
    return presentFile(file);
  }
}
