import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { PanelFormDto } from './panel-form.dto.js';

/** Blank means "use the env default"; anything else must parse as a whole number. */
const blankOrNumber = ({ value }: { value: unknown }) => {
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) return undefined;
  return typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
};

/**
 * The Settings form: each field overrides an env default (same units and bounds as the variable);
 * an empty field removes the override.
 */
export class SettingsFormDto extends PanelFormDto {
  @IsOptional()
  @Transform(blankOrNumber)
  @IsInt({ message: 'Max file size must be a whole number of MiB.' })
  @Min(1, { message: 'Max file size must be at least 1 MiB.' })
  @Max(1048576, { message: 'Max file size must be at most 1048576 MiB (1 TiB).' })
  maxFileSizeMiB?: number;

  @IsOptional()
  @Transform(blankOrNumber)
  @IsInt({ message: 'Active tasks per user must be a whole number.' })
  @Min(1, { message: 'Active tasks per user must be at least 1.' })
  @Max(1000, { message: 'Active tasks per user must be at most 1000.' })
  maxActivePerUser?: number;

  @IsOptional()
  @Transform(blankOrNumber)
  @IsInt({ message: 'Daily quota must be a whole number of MiB (0 = no quota).' })
  @Min(0, { message: 'Daily quota cannot be negative (0 = no quota).' })
  @Max(1073741824, { message: 'Daily quota must be at most 1073741824 MiB.' })
  dailyQuotaMiB?: number;

  @IsOptional()
  @Transform(blankOrNumber)
  @IsInt({ message: 'Minimum free disk must be a whole number of MiB.' })
  @Min(0, { message: 'Minimum free disk cannot be negative.' })
  @Max(1073741824, { message: 'Minimum free disk must be at most 1073741824 MiB.' })
  minFreeDiskMiB?: number;

  @IsOptional()
  @Transform(blankOrNumber)
  @IsInt({ message: 'Status interval must be a whole number of seconds.' })
  @Min(3, { message: 'Status interval must be at least 3 seconds (Telegram rate limits).' })
  @Max(300, { message: 'Status interval must be at most 300 seconds.' })
  statusIntervalSeconds?: number;

  @IsOptional()
  @Transform(blankOrNumber)
  @IsInt({ message: 'Signed-link lifetime must be a whole number of seconds.' })
  @Min(60, { message: 'Signed-link lifetime must be at least 60 seconds.' })
  @Max(604800, { message: 'Signed-link lifetime must be at most 604800 seconds (7 days).' })
  signedUrlTtlSeconds?: number;
}
