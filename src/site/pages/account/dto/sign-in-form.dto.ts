import { IsString, Length } from 'class-validator';
import { PanelFormDto } from '../../../../admin/dto/panel-form.dto.js';

/** The account page's sign-in form, posted as a plain form (works without JavaScript). */
export class SignInFormDto extends PanelFormDto {
  @IsString()
  @Length(1, 64)
  username!: string;

  @IsString()
  @Length(1, 200)
  password!: string;
}
