import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { TitleFormDto } from '../../src/admin/dto/title-form.dto.js';
import { changedFields } from '../../src/admin/library/title-edit.js';
import { type Title } from '../../src/library/schemas/title.schema.js';

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

  it('takes a year of four digits, and nothing else Number() would read as one', async () => {
    assert.equal(plainToInstance(TitleFormDto, { name: 'Heat', year: '1995' }).year, 1995);
    assert.equal(plainToInstance(TitleFormDto, { name: 'Heat', year: '' }).year, undefined);
    for (const year of ['0x7d0', '2e3', '2000.0', '+2000', '02000', '１９９５']) {
      assert.ok((await problems({ name: 'Heat', year })).includes('year must be a year of 4 digits'), year);
    }
  });

  it('refuses a name of spaces alone, as it refuses an empty one', async () => {
    for (const name of ['', '   ', '\t\n']) {
      assert.deepEqual(await problems({ name }), [
        'name must be 1 to 300 characters (spaces alone do not count)',
      ]);
    }
  });
});

describe('the panel title form: what an edit changes', () => {
  const title = { name: 'Heat', genres: ['Crime'] } as unknown as Title;
  const form = (genres: string) => ({ name: 'Heat', genres }) as TitleFormDto;

  it('splits the genres field at commas, trimmed, without repeats', () => {
    assert.deepEqual(changedFields(title, form(' Crime , Drama,, Drama ')), { genres: ['Crime', 'Drama'] });
    assert.deepEqual(changedFields(title, form('Crime')), {});
  });

  it('clears an original name or overview the admin emptied, and leaves alone what was not sent', async () => {
    const described = {
      name: 'Heat',
      genres: ['Crime'],
      originalName: 'Heat (1995)',
      overview: 'A heist.',
    } as unknown as Title;
    const emptied = plainToInstance(TitleFormDto, { name: 'Heat', originalName: '  ', overview: '' });
    assert.deepEqual(await problems({ name: 'Heat', originalName: '  ', overview: '' }), []);
    assert.deepEqual(changedFields(described, emptied), { originalName: '', overview: '' });
    assert.deepEqual(changedFields(described, plainToInstance(TitleFormDto, { name: 'Heat' })), {});
    // Empty and never set: no change (re-saving must not lock the field).
    assert.deepEqual(changedFields(title, plainToInstance(TitleFormDto, { name: 'Heat', overview: '' })), {});
  });

  it('refuses a genre longer than the API allows (60 characters), naming it', () => {
    assert.throws(
      () => changedFields(title, form(`Crime, ${'x'.repeat(61)}`)),
      (error: Error & { getStatus?: () => number }) =>
        error.getStatus?.() === 400 && /at most 60 characters; "x{30}…" has 61/.test(error.message),
    );
    assert.deepEqual(changedFields(title, form('x'.repeat(60))), { genres: ['x'.repeat(60)] });
  });
});
