// ApiVersions v4 as Kafka 4.x clients send it: the same list as v3, and one feature flag, share.version
// (KIP-932), finalized at 1 with the share group APIs advertised, or left out with them at
// share.version=0 (18-api-versions.ts says why no other).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { kafkaRequest } from '../../helpers/kafka-request.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(() => broker.close());

const software = { clientSoftwareName: 'apache-kafka-java', clientSoftwareVersion: '4.1.0' };

test('v4 answers the list v3 does, with Kafka 4.x topic-id versions, and share.version finalized', async () => {
  const v3 = await kafkaRequest(broker.bootstrap, ApiKey.ApiVersions, 3, software);
  const v4 = await kafkaRequest(broker.bootstrap, ApiKey.ApiVersions, 4, software);
  expect(v4.errorCode).toBe(ErrorCode.NONE);
  expect(v4.apiKeys).toEqual(v3.apiKeys);
  const range = (key: number) => v4.apiKeys.find((k) => k.apiKey === key);
  expect(range(ApiKey.Fetch)).toEqual({ apiKey: ApiKey.Fetch, minVersion: 4, maxVersion: 18 });
  expect(range(ApiKey.Metadata)).toEqual({ apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 13 });
  expect(range(ApiKey.ListOffsets)).toEqual({ apiKey: ApiKey.ListOffsets, minVersion: 0, maxVersion: 11 });
  expect(range(ApiKey.ApiVersions)).toEqual({ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 4 });
  expect(range(ApiKey.ShareFetch)).toEqual({ apiKey: ApiKey.ShareFetch, minVersion: 1, maxVersion: 2 });
  expect(v4.supportedFeatures).toEqual([{ name: 'share.version', minVersion: 0, maxVersion: 1 }]);
  expect(v4.finalizedFeatures).toEqual([{ name: 'share.version', minVersionLevel: 1, maxVersionLevel: 1 }]);
  expect(v4.finalizedFeaturesEpoch).toBe(0);
});

test('share.version=0: no share group API advertised and the feature not finalized', async () => {
  const off = await startTestBroker({ 'share.version': '0' });
  try {
    const v4 = await kafkaRequest(off.bootstrap, ApiKey.ApiVersions, 4, software);
    const keys = v4.apiKeys.map((k) => k.apiKey);
    for (const key of [ApiKey.ShareGroupHeartbeat, ApiKey.ShareGroupDescribe, ApiKey.ShareFetch, ApiKey.ShareAcknowledge]) expect(keys).not.toContain(key);
    expect(v4.finalizedFeatures).toEqual([]);
  } finally {
    await off.close();
  }
});
