import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Every panel form carries its CSRF token as `_csrf` (checked by `CsrfGuard`, declared here). */
export class PanelFormDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  _csrf?: string;
}
