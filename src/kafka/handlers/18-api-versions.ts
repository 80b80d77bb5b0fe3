// ApiVersions (18), v0-3. An unsupported version never reaches here: the connection answers it with
// UNSUPPORTED_VERSION in the v0 format, which librdkafka and kafka-python use to pick a version.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

/** Kafka's rule for v3 client software names and versions (KIP-511). */
const SOFTWARE_FIELD = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export const apiVersionsHandler = defineHandler({
  apiKey: ApiKey.ApiVersions,
  minVersion: 0,
  maxVersion: 3,
  uses: ['apiVersions'],
  handle(request, ctx, { apiVersions }) {
    if (ctx.apiVersion >= 3 && !(SOFTWARE_FIELD.test(request.clientSoftwareName) && SOFTWARE_FIELD.test(request.clientSoftwareVersion))) {
      return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys: [], throttleTimeMs: 0 };
    }
    return { errorCode: ErrorCode.NONE, apiKeys: apiVersions.supported(), throttleTimeMs: 0 };
  },
});
