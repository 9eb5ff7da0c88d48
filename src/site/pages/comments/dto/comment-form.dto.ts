import { IsString, MaxLength } from 'class-validator';
import { PanelFormDto } from '../../../../admin/dto/panel-form.dto.js';

/** A comment posted as a plain form (no JavaScript); emptiness is the comment service's to refuse. */
export class CommentFormDto extends PanelFormDto {
  @IsString()
  @MaxLength(2000)
  body!: string;
}
