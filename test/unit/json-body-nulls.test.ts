import 'reflect-metadata';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate } from 'class-validator';

const SRC = join(import.meta.dirname, '..', '..', 'src');
/** Request-body classes outside a dto/ folder. */
const OTHER_BODY_FILES = ['stream/sign.controller.js'];
/** Query strings and urlencoded forms cannot carry a null: only JSON bodies are checked. */
const NOT_JSON = /Query|Form|Params/;
/** Fields where null means something: a tenant quota's "no limit", a branding value's "the default". */
const NULL_MEANS_SOMETHING = new Set([
  'QuotasDto.concurrentStreams',
  'QuotasDto.gibPerMonth',
  'QuotasDto.commentsPerDay',
  'BrandingDto.siteName',
  'BrandingDto.logo',
  'BrandingDto.favicon',
  'BrandingDto.footer',
  'BrandColorsDto.primary',
  'BrandColorsDto.background',
  'BrandColorsDto.text',
]);

function dtoFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return dtoFiles(path);
    const inDtoFolder = relative(SRC, path).split('/').includes('dto');
    return entry.name.endsWith('.js') && (inDtoFolder || entry.name.endsWith('.dto.js')) ? [path] : [];
  });
}

async function jsonBodyClasses(): Promise<Map<string, new () => object>> {
  const classes = new Map<string, new () => object>();
  for (const file of [...dtoFiles(SRC), ...OTHER_BODY_FILES.map((f) => join(SRC, f))]) {
    for (const [name, value] of Object.entries(await import(pathToFileURL(file).href))) {
      if (typeof value === 'function' && !NOT_JSON.test(name)) classes.set(name, value as new () => object);
    }
  }
  return classes;
}

describe('JSON request bodies: a field may be left out, but null is checked like any value', () => {
  it('refuses null in every field of every JSON body, but where null means something', async () => {
    const classes = await jsonBodyClasses();
    assert.ok(
      classes.has('UpdateTitleDto') && classes.has('UpdateTenantDto') && classes.has('SaveProgressDto'),
    );
    const letThrough: string[] = [];
    let checked = 0;
    for (const [name, dto] of classes) {
      const fields = new Set(
        getMetadataStorage()
          .getTargetValidationMetadatas(dto, '', true, false)
          .map((meta) => meta.propertyName),
      );
      for (const field of fields) {
        checked++;
        const errors = await validate(plainToInstance(dto, { [field]: null }));
        const refused = errors.some((error) => error.property === field);
        if (!refused && !NULL_MEANS_SOMETHING.has(`${name}.${field}`)) letThrough.push(`${name}.${field}`);
        if (refused && NULL_MEANS_SOMETHING.has(`${name}.${field}`))
          letThrough.push(`${name}.${field} (refused)`);
      }
    }
    assert.ok(checked > 50, `only ${checked} fields found`);
    assert.deepEqual(letThrough, [], 'fields that take null (use @IsOmittable, not @IsOptional)');
  });
});
