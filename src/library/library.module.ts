import { Module } from '@nestjs/common';

/** The library module; its behaviour arrives with its own issue, so it registers nothing yet. */
@Module({})
export class LibraryModule {}
