import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { TitleFormDto } from '../../src/admin/dto/title-form.dto.js';

/** The form as the global pipe sees it: transformed, then validated. */
async function problems(form: Record<string, unknown>): Promise<string[]> {
  const errors = await validate(plainToInstance(TitleFormDto, form));
  return errors.flatMap((error) => Object.values(error.constraints ?? {}));
}

describe('the panel’s title edit form', () => {
  it('keeps a name, trimmed', async () => {
    assert.deepEqual(await problems({ name: '  The Expanse ' }), []);
    assert.equal(plainToInstance(TitleFormDto, { name: '  The Expanse ' }).name, 'The Expanse');
  });

  it('refuses a name of spaces alone, as it refuses an empty one', async () => {
    for (const name of ['', '   ', '\t\n']) {
      assert.deepEqual(await problems({ name }), [
        'name must be 1 to 300 characters (spaces alone do not count)',
      ]);
    }
  });
});
