// ApiVersions (18), v0-4. An unsupported version never reaches here: the connection answers it with
// UNSUPPORTED_VERSION in the v0 format, which librdkafka and kafka-python use to pick a version.
//
// v3+ may carry feature flags (KIP-584). Skein supports and finalizes none, as a ZooKeeper-mode Kafka
// broker reports: the flags Kafka 4.x finalizes name protocols Skein does not serve yet, and clients act
// on them (a Java 4.x producer that sees transaction.version 2 finalized runs KIP-890's transactions).
// v4 only lets a supported range start at 0 (KAFKA-17011), which an empty list never does.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

/** Kafka's rule for v3 client software names and versions (KIP-511). */
const SOFTWARE_FIELD = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export const apiVersionsHandler = defineHandler({
  apiKey: ApiKey.ApiVersions,
  minVersion: 0,
  maxVersion: 4,
  uses: ['apiVersions'],
  handle(request, ctx, { apiVersions }) {
    if (ctx.apiVersion >= 3 && !(SOFTWARE_FIELD.test(request.clientSoftwareName) && SOFTWARE_FIELD.test(request.clientSoftwareVersion))) {
      return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys: [], throttleTimeMs: 0 };
    }
    return { errorCode: ErrorCode.NONE, apiKeys: apiVersions.supported(), throttleTimeMs: 0 };
  },
});
