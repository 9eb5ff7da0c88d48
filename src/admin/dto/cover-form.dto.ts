import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { PanelFormDto } from './panel-form.dto.js';

/** A manga's cover: which page of the chapter (from 1). */
export class CoverFormDto extends PanelFormDto {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  page: number = 1;
}
