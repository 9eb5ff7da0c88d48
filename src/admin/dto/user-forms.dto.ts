import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { type UserRole, USER_ROLES } from '../../core/identity/identity.js';
import { PanelFormDto } from './panel-form.dto.js';

export class NewUserFormDto extends PanelFormDto {
  @Matches(/^[A-Za-z0-9._-]{3,64}$/, { message: 'username must be 3-64 letters, digits, ".", "_" or "-"' })
  username!: string;

  /** Empty: the account signs in through magic links only. */
  @IsOptional()
  @IsString()
  @Length(0, 200)
  password?: string;

  @IsIn(USER_ROLES)
  role!: UserRole;
}

export class NewTokenFormDto extends PanelFormDto {
  @IsString()
  @Length(1, 100)
  name!: string;
}

export class BotChatFormDto extends PanelFormDto {
  @Matches(/^-?\d{1,20}$/, { message: 'chat id must be a Telegram chat id such as -1001234567890' })
  chatId!: string;

  @IsOptional()
  @IsString()
  @Length(0, 100)
  label?: string;
}
