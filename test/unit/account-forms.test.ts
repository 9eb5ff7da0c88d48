import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { BotChatFormDto, NewTokenFormDto, NewUserFormDto } from '../../src/admin/dto/user-forms.dto.js';

const problems = async (type: new () => object, form: Record<string, string>) =>
  (await validate(plainToInstance(type, { _csrf: 'x', ...form }))).flatMap((error) =>
    Object.values(error.constraints ?? {}),
  );

describe("the panel's account forms ask what the API asks", () => {
  const user = (form: Record<string, string>) =>
    problems(NewUserFormDto, { username: 'someone', password: '', role: 'viewer', ...form });

  it('a password is empty (magic links only) or 8 to 200 characters', async () => {
    assert.deepEqual(await user({}), []);
    assert.deepEqual(await user({ password: 'eight-ch' }), []);
    assert.match((await user({ password: 'a' })).join(), /empty \(magic links only\) or 8 to 200 characters/);
  });

  it("makes accounts of the operator's site: admin, uploader or viewer, not a tenant's admin", async () => {
    assert.match(
      (await user({ role: 'tenant-admin' })).join(),
      /role must be one of admin, uploader, viewer/,
    );
  });

  it('takes chat ids Number() keeps exact (16 digits), and token names without control characters', async () => {
    assert.deepEqual(await problems(BotChatFormDto, { chatId: '-1001234567890' }), []);
    assert.notDeepEqual(await problems(BotChatFormDto, { chatId: '99999999999999999999' }), []);
    assert.deepEqual(await problems(NewTokenFormDto, { name: 'nightly backup' }), []);
    for (const name of ['a\u0000b', '\ud800', '\u200b'])
      assert.notDeepEqual(await problems(NewTokenFormDto, { name }), [], JSON.stringify(name));
  });
});
