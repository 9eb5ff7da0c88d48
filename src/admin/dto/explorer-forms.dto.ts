import { Transform } from 'class-transformer';
import { IsString, Length, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../core/validation/page-query.dto.js';
import { PanelFormDto } from './panel-form.dto.js';

export class RenameFileFormDto extends PanelFormDto {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 255, { message: 'The display name must be 1 to 255 characters.' })
  @Matches(/^[^/\\\p{Cc}]+$/u, {
    message: 'The display name cannot contain slashes or control characters.',
  })
  fileName!: string;
}

export class OrphanFormDto extends PanelFormDto {
  @IsString()
  @MaxLength(1000)
  ref!: string;
}

export class ExplorerPageQueryDto extends PageQueryDto {
  override pageSize: number = 50;
}
