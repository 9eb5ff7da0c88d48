import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { PanelFormDto } from './panel-form.dto.js';

export class SubmitTaskFormDto extends PanelFormDto {
  @IsString()
  @Length(1, 4000)
  url!: string;

  @IsOptional()
  @IsString()
  @MaxLength(300)
  hint?: string;
}
