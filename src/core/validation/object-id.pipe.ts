import { Injectable, type PipeTransform } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../errors/app-error.js';

/** `:id` path parameters: a 24-hex ObjectId, or 400 saying so. */
@Injectable()
export class ParseObjectIdPipe implements PipeTransform<string, Types.ObjectId> {
  transform(value: string): Types.ObjectId {
    if (!/^[0-9a-f]{24}$/i.test(value)) {
      throw new AppError(
        400,
        'bad_request',
        `"${value.slice(0, 40)}" is not a valid id (24 hexadecimal characters).`,
      );
    }
    return new Types.ObjectId(value);
  }
}
