import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AppError } from '../../core/errors/app-error.js';
import { type Identity } from '../../core/identity/identity.js';
import { RateLimit } from '../../core/rate-limit/rate-limit.decorator.js';
import { CurrentIdentity, Identified } from '../access.decorators.js';
import { requireAccount } from '../account-access.js';
import { CreateAppPasswordDto } from '../dto/create-app-password.dto.js';
import { AppPasswordService } from './app-password.service.js';

/** A signed-in account's passwords for clients that cannot do our sign-in (OPDS, Subsonic, Stremio). */
@ApiTags('auth')
@Controller('api/auth/app-passwords')
@Identified()
export class AppPasswordsController {
  constructor(private readonly appPasswords: AppPasswordService) {}

  /** 201 with the password, shown this once. */
  @Post()
  @RateLimit({ name: 'app-password', limit: 10, windowSeconds: 60 })
  create(@CurrentIdentity() identity: Identity, @Body() dto: CreateAppPasswordDto) {
    return this.appPasswords.create(requireAccount(identity).id, dto.label.trim());
  }

  @Get()
  list(@CurrentIdentity() identity: Identity) {
    return this.appPasswords.list(requireAccount(identity).id);
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(
    @CurrentIdentity() identity: Identity,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<void> {
    if (!(await this.appPasswords.revoke(requireAccount(identity).id, id)))
      throw new AppError(404, 'not_found', `You have no app password with id ${id}.`);
  }
}
