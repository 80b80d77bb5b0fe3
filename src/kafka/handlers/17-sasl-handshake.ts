// SaslHandshake (17), v0-1, as a handler: reached only on a listener without SASL or after the
// connection authenticated (before that, the connection's SaslAuthenticator takes it). Kafka answers
// both with ILLEGAL_SASL_STATE.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const saslHandshakeHandler = defineHandler({
  apiKey: ApiKey.SaslHandshake,
  minVersion: 0,
  maxVersion: 1,
  uses: [],
  handle: () => ({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }),
});
