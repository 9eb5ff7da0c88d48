import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api, errors } from 'telegram';
import { gatewayErrorOf } from '../../src/core/storage/telegram/gramjs-telegram-gateway.js';
import {
  FileReferenceExpiredError,
  MessageMissingError,
} from '../../src/core/storage/telegram/telegram-gateway.js';

const request = new Api.channels.DeleteMessages({ channel: new Api.InputChannelEmpty(), id: [7] });

describe('gramjs errors as the gateway reports them', () => {
  it('reports a message id Telegram does not know as missing', () => {
    assert.ok(
      gatewayErrorOf(new errors.RPCError('MESSAGE_ID_INVALID', request, 400)) instanceof MessageMissingError,
    );
  });

  it('does not report CHANNEL_INVALID as missing: the session cannot reach the channel, the message may be there', () => {
    const channelInvalid = new errors.RPCError('CHANNEL_INVALID', request, 400);
    const reported = gatewayErrorOf(channelInvalid);
    assert.ok(!(reported instanceof MessageMissingError));
    assert.equal(reported, channelInvalid);
  });

  it('reports an expired file reference as such', () => {
    assert.ok(
      gatewayErrorOf(new errors.RPCError('FILE_REFERENCE_EXPIRED', request, 400)) instanceof
        FileReferenceExpiredError,
    );
  });
});
