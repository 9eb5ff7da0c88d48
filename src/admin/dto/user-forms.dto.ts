import { IsIn, IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { SITE_ACCOUNT_ROLES, type UserRole } from '../../core/identity/identity.js';
import { VISIBLE_TEXT } from '../../core/validation/visible-text.js';
import { PanelFormDto } from './panel-form.dto.js';

export class NewUserFormDto extends PanelFormDto {
  @Matches(/^[A-Za-z0-9._-]{3,64}$/, { message: 'username must be 3-64 letters, digits, ".", "_" or "-"' })
  username!: string;

  /** Empty: the account signs in through magic links only; else 8-200 characters, as the API asks. */
  @IsOptional()
  @IsString()
  @ValidateIf((form: NewUserFormDto) => form.password !== '')
  @Length(8, 200, { message: 'password must be empty (magic links only) or 8 to 200 characters' })
  password?: string;

  @IsIn(SITE_ACCOUNT_ROLES, { message: `role must be one of ${SITE_ACCOUNT_ROLES.join(', ')}` })
  role!: UserRole;
}

export class NewTokenFormDto extends PanelFormDto {
  @IsString()
  @Length(1, 100)
  @Matches(VISIBLE_TEXT, {
    message: 'name must be text (no control characters) with something visible in it',
  })
  name!: string;
}

export class BotChatFormDto extends PanelFormDto {
  // Telegram ids fit in 52 bits: up to 16 digits, so Number() keeps them exact.
  @Matches(/^-?\d{1,16}$/, { message: 'chat id must be a Telegram chat id such as -1001234567890' })
  chatId!: string;

  @IsOptional()
  @IsString()
  @Length(0, 100)
  label?: string;
}
