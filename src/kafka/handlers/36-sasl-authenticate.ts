// SaslAuthenticate (36), v0-2, as a handler: reached only on a listener without SASL or after the
// connection authenticated (before that, the connection's SaslAuthenticator takes it). Kafka answers
// both with ILLEGAL_SASL_STATE.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const saslAuthenticateHandler = defineHandler({
  apiKey: ApiKey.SaslAuthenticate,
  minVersion: 0,
  maxVersion: 2,
  uses: [],
  handle: () => ({
    errorCode: ErrorCode.ILLEGAL_SASL_STATE,
    errorMessage: 'SaslAuthenticate request received after successful authentication',
    authBytes: Buffer.alloc(0),
    sessionLifetimeMs: 0,
  }),
});
