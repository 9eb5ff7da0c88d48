/**
 * The few OpenAPI decorators the streamer's controllers use, writing exactly the metadata that
 * `@nestjs/swagger`'s decorators of the same names write (its `swagger/...` reflect keys), so the
 * manager's OpenAPI document reads them as before. Importing `@nestjs/swagger` itself costs a process
 * ~50 MB (it pulls in its whole document builder and es-toolkit); a streamer never builds a document,
 * so its controllers take these instead. `test/unit/api-docs-decorators.test.ts` holds them equal.
 */
const API_TAGS = 'swagger/apiUseTags';
const API_EXCLUDE_CONTROLLER = 'swagger/apiExcludeController';
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';
const API_MODEL_PROPERTIES_ARRAY = 'swagger/apiModelPropertiesArray';

/** A controller's (or one route's) tags in the OpenAPI document. */
export function ApiTags(...tags: string[]): ClassDecorator & MethodDecorator {
  return ((target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = descriptor ? (descriptor.value as object) : target;
    const previous = (Reflect.getMetadata(API_TAGS, holder) as string[] | undefined) ?? [];
    Reflect.defineMetadata(API_TAGS, [...previous, ...tags], holder);
    return descriptor ?? target;
  }) as ClassDecorator & MethodDecorator;
}

/** Leaves a controller out of the OpenAPI document (HTML pages, for instance). */
export function ApiExcludeController(disable = true): ClassDecorator {
  return (target) => {
    const previous = (Reflect.getMetadata(API_EXCLUDE_CONTROLLER, target) as boolean[] | undefined) ?? [];
    Reflect.defineMetadata(API_EXCLUDE_CONTROLLER, [...previous, disable], target);
    return target;
  };
}

/** Plain (scalar) property options: what the streamer's DTOs document. */
export interface ApiPropertyOptions {
  description?: string;
  example?: unknown;
  required?: boolean;
}

/** A DTO property in the OpenAPI document; its type comes from the TypeScript design type. */
export function ApiProperty(options: ApiPropertyOptions = {}): PropertyDecorator {
  return (target, propertyKey) => {
    const key = `:${String(propertyKey)}`;
    const properties =
      (Reflect.getMetadata(API_MODEL_PROPERTIES_ARRAY, target) as string[] | undefined) ?? [];
    if (!properties.includes(key)) {
      Reflect.defineMetadata(API_MODEL_PROPERTIES_ARRAY, [...properties, key], target);
    }
    const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    Reflect.defineMetadata(
      API_MODEL_PROPERTIES,
      { type: Reflect.getMetadata('design:type', target, propertyKey) as unknown, ...defined },
      target,
      propertyKey,
    );
  };
}
