import { IsIn, IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { SITE_ACCOUNT_ROLES, type UserRole } from '../../core/identity/identity.js';
import { TELEGRAM_CHAT_ID, TELEGRAM_CHAT_ID_MESSAGE } from '../../core/validation/telegram-chat-id.js';
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
  @Matches(TELEGRAM_CHAT_ID, { message: TELEGRAM_CHAT_ID_MESSAGE })
  chatId!: string;

  @IsOptional()
  @IsString()
  @Length(0, 100)
  label?: string;
}
