import { Module } from '@nestjs/common';

/** The auth module; its behaviour arrives with its own issue, so it registers nothing yet. */
@Module({})
export class AuthModule {}
