// ApiVersions (18), v0-4. An unsupported version never reaches here: the connection answers it with
// UNSUPPORTED_VERSION in the v0 format, which librdkafka and kafka-python use to pick a version.
//
// v3+ may carry feature flags (KIP-584). Skein reports one: share.version (KIP-932), supported 0-1 and
// finalized at the level server.properties sets (1 unless share.version=0), as a Kafka 4.x broker
// reports it once share groups are enabled; the share group APIs are advertised exactly when it is 1.
// The other flags Kafka 4.x finalizes name protocols Skein does not serve yet, and clients act on them
// (a Java 4.x producer that sees transaction.version 2 finalized runs KIP-890's transactions), so they
// are left out, as a ZooKeeper-mode Kafka broker leaves them out.
// v4 only lets a supported range start at 0 (KAFKA-17011), which share.version's does.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { namesSoftwareValidly } from '../client-information.js';
import { defineHandler } from '../handler.js';

/** The share.version levels this broker can serve: 0 (share groups off) and 1 (KIP-932 as Kafka 4.1+). */
export const SHARE_VERSION_LEVELS = { min: 0, max: 1 } as const;

/**
 * The epoch of the finalized features. Kafka gives the metadata offset of the last feature change; the
 * level here only changes with server.properties, read at start, so one fixed epoch stays consistent.
 */
const FINALIZED_FEATURES_EPOCH = 0;

export const apiVersionsHandler = defineHandler({
  apiKey: ApiKey.ApiVersions,
  minVersion: 0,
  maxVersion: 4,
  uses: ['apiVersions', 'config'],
  handle(request, ctx, { apiVersions, config }) {
    if (ctx.apiVersion >= 3 && !namesSoftwareValidly(request)) {
      return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys: [], throttleTimeMs: 0 };
    }
    const shareLevel = config.values['share.version'];
    return {
      errorCode: ErrorCode.NONE,
      apiKeys: apiVersions.supported(),
      throttleTimeMs: 0,
      supportedFeatures: [{ name: 'share.version', minVersion: SHARE_VERSION_LEVELS.min, maxVersion: SHARE_VERSION_LEVELS.max }],
      // A feature at level 0 is not finalized at all, as Kafka lists it.
      finalizedFeaturesEpoch: FINALIZED_FEATURES_EPOCH,
      finalizedFeatures: shareLevel > 0 ? [{ name: 'share.version', maxVersionLevel: shareLevel, minVersionLevel: shareLevel }] : [],
    };
  },
});
