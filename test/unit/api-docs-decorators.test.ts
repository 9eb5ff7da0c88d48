import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as swagger from '@nestjs/swagger';
import * as local from '../../src/core/http/api-docs.decorators.js';

/** Every reflect-metadata entry of a class, its prototype and the given members, keyed for comparison. */
function metadataOf(target: { prototype: object }, members: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const holders: [string, object, string | undefined][] = [
    ['class', target, undefined],
    ['prototype', target.prototype, undefined],
    ...members.map((m): [string, object, string] => [`prototype.${m}`, target.prototype, m]),
    ...members.map((m): [string, object, string | undefined] => [
      `method ${m}`,
      (target.prototype as Record<string, object>)[m] ?? {},
      undefined,
    ]),
  ];
  for (const [name, holder, member] of holders) {
    const keys = (
      member ? Reflect.getMetadataKeys(holder, member) : Reflect.getMetadataKeys(holder)
    ) as string[];
    for (const key of keys.filter((k) => String(k).startsWith('swagger/'))) {
      out[`${name} ${key}`] = member
        ? Reflect.getMetadata(key, holder, member)
        : Reflect.getMetadata(key, holder);
    }
  }
  return out;
}

describe("the streamer's OpenAPI decorators write what @nestjs/swagger's write", () => {
  it('ApiTags on a class and on a route, ApiExcludeController', () => {
    const build = (d: typeof local | typeof swagger) => {
      @d.ApiTags('stream', 'media')
      class Controller {
        @d.ApiTags('extra')
        route(): void {}
      }
      @d.ApiExcludeController()
      class Page {}
      return { controller: metadataOf(Controller, ['route']), page: metadataOf(Page, []) };
    };
    const ours = build(local);
    assert.deepEqual(ours, build(swagger));
    assert.deepEqual(ours.controller['class swagger/apiUseTags'], ['stream', 'media']);
    assert.deepEqual(ours.page['class swagger/apiExcludeController'], [true]);
  });

  it('ApiProperty with an example, a description and required: false', () => {
    const build = (d: typeof local | typeof swagger) => {
      class Dto {
        @d.ApiProperty({ example: '6b06f1af3ffdf6164bddafbe' })
        fileId!: string;

        @d.ApiProperty({ description: 'seconds', required: false })
        at?: number;
      }
      return metadataOf(Dto, ['fileId', 'at']);
    };
    const ours = build(local);
    assert.deepEqual(ours, build(swagger));
    assert.deepEqual(ours['prototype swagger/apiModelPropertiesArray'], [':fileId', ':at']);
    assert.deepEqual(ours['prototype.fileId swagger/apiModelProperties'], {
      type: String,
      example: '6b06f1af3ffdf6164bddafbe',
    });
  });
});
