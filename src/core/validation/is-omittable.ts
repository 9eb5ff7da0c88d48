import { ValidateIf } from 'class-validator';

/**
 * A JSON body's field that may be left out: the field's other checks run whenever it is present,
 * `null` included, so a type check refuses `null` with a 400 naming the field. `@IsOptional` skips
 * `null` too, and a stored null blanked names, crashed pages and broke catalog rebuilds; keep
 * `@IsOptional` for query strings and forms (which cannot carry null) and for fields where null
 * means something (a tenant quota's "no limit").
 */
export function IsOmittable(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}
