import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { PanelFormDto } from './panel-form.dto.js';

export class LoginFormDto extends PanelFormDto {
  @IsString()
  @Length(1, 100)
  username!: string;

  @IsString()
  @Length(1, 200)
  password!: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  next?: string;
}
