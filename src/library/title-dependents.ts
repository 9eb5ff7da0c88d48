import { Injectable } from '@nestjs/common';
import { type Types } from 'mongoose';
import { Registry } from '../core/util/registry.js';

/**
 * A module that keeps data of its own for library titles (ReadVault's chapters and their CBZs): when
 * a title is deleted it removes that data, and deletes (through the library) the files no longer used.
 */
export interface TitleDependent {
  /** What it keeps, for logs ("manga chapters"). */
  readonly name: string;
  deleteForTitle(titleId: Types.ObjectId): Promise<void>;
}

/**
 * Who keeps what for a title, so deleting one leaves nothing behind in modules the library does not
 * know. Modules register at init; the library consults them inside the title's lock.
 */
@Injectable()
export class TitleDependents extends Registry<TitleDependent> {}
