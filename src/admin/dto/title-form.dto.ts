import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { TITLE_KINDS } from '../../library/schemas/title.schema.js';
import { PageQueryDto } from '../../core/validation/page-query.dto.js';
import { PanelFormDto } from './panel-form.dto.js';

const blankToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/**
 * The CMS edit form: every field arrives as text. An empty year means "no value"; an emptied original
 * name or overview clears it.
 */
export class TitleFormDto extends PanelFormDto {
  // Trimmed before the length check: a name of spaces is no name.
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 300, { message: 'name must be 1 to 300 characters (spaces alone do not count)' })
  name!: string;

  // Blank is kept (trimmed): the admin cleared the field. Absent (not sent) changes nothing.
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(300)
  originalName?: string;

  // Four digits, not whatever Number() reads: "0x7d0" or "2e3" would be saved as 2000.
  @IsOptional()
  @Transform(({ value }) => {
    if (blankToUndefined({ value }) === undefined) return undefined;
    return typeof value === 'string' && /^\s*\d{4}\s*$/.test(value) ? Number(value) : value;
  })
  @IsInt({ message: 'year must be a year of 4 digits' })
  @Min(1870)
  @Max(2200)
  year?: number;

  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(5000)
  overview?: string;

  /** Comma-separated. */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  genres?: string;
}

export class TitleSearchFormDto extends PageQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @IsOptional()
  @Transform(blankToUndefined)
  @IsIn(TITLE_KINDS)
  kind?: (typeof TITLE_KINDS)[number];
}
