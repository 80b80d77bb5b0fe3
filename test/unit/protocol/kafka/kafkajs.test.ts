// kafkajs as a real client, for every API and version it implements: its request encoders produce frames
// our codec decodes (and re-encodes to the same bytes), and its response decoders read what our codec
// encodes, consuming every byte.
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { Reader } from '../../../../protocol/bytes.js';
import {
  ApiKey,
  decodeRequestFrame,
  encodeApiVersionsUnsupportedFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  readResponseHeader,
  type ApiKey as ApiKeyType,
  type KafkaRequest,
  type RequestOf,
  type ResponseInputOf,
} from '../../../../protocol/kafka/index.js';
import { readBatchHeader, setBaseOffset, validateBatch } from '../../../../protocol/kafka/records/batch-header.js';

const require = createRequire(import.meta.url);

interface KafkajsRequest {
  apiKey: number;
  apiVersion: number;
  encode(): Promise<unknown>;
}
interface KafkajsResponse {
  decode(payload: Buffer): Promise<Record<string, unknown>>;
}
type KafkajsApi = (params: unknown) => { request: KafkajsRequest; response: KafkajsResponse };

const createKafkajsFrame = require('kafkajs/src/protocol/request.js') as (args: {
  correlationId: number;
  clientId: string;
  request: KafkajsRequest;
}) => Promise<{ buffer: Buffer }>;
const KafkajsDecoder = require('kafkajs/src/protocol/decoder.js') as { prototype: Record<string, unknown> };

function kafkajs(api: string, version: number): KafkajsApi {
  const { protocol } = require(`kafkajs/src/protocol/requests/${api}/index.js`) as {
    protocol(args: { version: number }): KafkajsApi;
  };
  return protocol({ version });
}

function versionsOf(api: string): number[] {
  const { versions } = require(`kafkajs/src/protocol/requests/${api}/index.js`) as { versions: string[] };
  return versions.map(Number).sort((a, b) => a - b);
}

/** A kafkajs request frame (header v1 + body), decoded by our codec. */
async function requestThroughCodec(request: KafkajsRequest): Promise<{ frame: Buffer; decoded: KafkaRequest }> {
  const sized = (await createKafkajsFrame({ correlationId: 42, clientId: 'kafkajs-test', request })).buffer;
  const frame = sized.subarray(4);
  expect(sized.readInt32BE(0)).toBe(frame.length);
  const decoded = decodeRequestFrame(frame);
  expect(decoded).toMatchObject({ apiKey: request.apiKey, apiVersion: request.apiVersion, correlationId: 42 });
  expect(decoded.clientId).toBe('kafkajs-test');
  return { frame, decoded };
}

/**
 * Runs a kafkajs response decoder over `payload` and reports whether it read every byte: kafkajs never
 * checks, so each Decoder method is watched for how far it got in this payload.
 */
async function kafkajsDecodes(response: KafkajsResponse, payload: Buffer, unreadTail = 0): Promise<Record<string, unknown>> {
  const proto = KafkajsDecoder.prototype;
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  let furthest = 0;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const fn = proto[name];
    if (name === 'constructor' || typeof fn !== 'function') continue;
    originals.set(name, fn as (...args: unknown[]) => unknown);
    proto[name] = function (this: { buffer: Buffer; offset: number }, ...args: unknown[]) {
      const out = (fn as (...a: unknown[]) => unknown).apply(this, args);
      if (this.buffer === payload) furthest = Math.max(furthest, this.offset);
      return out;
    };
  }
  try {
    const decoded = await response.decode(payload);
    expect(furthest, 'kafkajs left bytes of our response unread').toBe(payload.length - unreadTail);
    return decoded;
  } finally {
    for (const [name, fn] of originals) proto[name] = fn;
  }
}

/** Our response frame's body as kafkajs sees it: after the v0 header (kafkajs only speaks non-flexible versions). */
function responsePayload<K extends ApiKeyType>(apiKey: K, version: number, body: ResponseInputOf<K>): Buffer {
  const frame = Buffer.concat(encodeResponseFrame(apiKey, version, 7, body));
  const r = new Reader(frame);
  expect(readResponseHeader(r, 0).correlationId).toBe(7);
  return frame.subarray(r.pos);
}

/** Round trip through both codecs: kafkajs request -> ours -> same bytes; ours response -> kafkajs. */
async function exchange<K extends ApiKeyType>(
  api: string,
  apiKey: K,
  version: number,
  params: unknown,
  responseBody: ResponseInputOf<K>,
  /** kafkajs's decoders of flexible versions skip the body's closing tagged fields (one byte when empty). */
  unreadTail = 0,
): Promise<{ request: RequestOf<K>; response: Record<string, unknown> }> {
  const { request, response } = kafkajs(api, version)(params);
  const { frame, decoded } = await requestThroughCodec(request);
  expect(decoded.apiKey).toBe(apiKey);
  expect(Buffer.concat(encodeRequestFrame(decoded, decoded.body)).equals(frame)).toBe(true);
  const decodedResponse = await kafkajsDecodes(response, responsePayload(apiKey, version, responseBody), unreadTail);
  return { request: decoded.body as RequestOf<K>, response: decodedResponse };
}

/** kafkajs reports a throttle time as throttleTime, or from v(N) on as clientSideThrottleTime. */
function throttle(version: number, since: number, clientSideFrom: number, ms: number): Record<string, number> {
  if (version < since) return {};
  return version >= clientSideFrom ? { clientSideThrottleTime: ms } : { throttleTime: ms };
}

describe('ApiVersions', () => {
  test.each(versionsOf('apiVersions'))('v%i', async (v) => {
    const apiKeys = [
      { apiKey: 0, minVersion: 3, maxVersion: 9 },
      { apiKey: 18, minVersion: 0, maxVersion: 3 },
    ];
    const { request, response } = await exchange('apiVersions', ApiKey.ApiVersions, v, undefined, {
      errorCode: 0,
      apiKeys,
      throttleTimeMs: 6,
    });
    expect(request).toEqual({ clientSoftwareName: '', clientSoftwareVersion: '' });
    expect(response).toMatchObject({ errorCode: 0, apiVersions: apiKeys, ...throttle(v, 1, 2, 6) });
  });

  test('the v0-format UNSUPPORTED_VERSION answer is what kafkajs falls back on', async () => {
    const frame = Buffer.concat(encodeApiVersionsUnsupportedFrame(9, [{ apiKey: 18, minVersion: 0, maxVersion: 2 }]));
    expect(frame.readInt32BE(0)).toBe(9);
    const { response } = kafkajs('apiVersions', 2)(undefined);
    await expect(response.decode(frame.subarray(4))).rejects.toMatchObject({ type: 'UNSUPPORTED_VERSION' });
  });
});

describe('Metadata', () => {
  test.each(versionsOf('metadata'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'metadata',
      ApiKey.Metadata,
      v,
      { topics: ['a', 'b'], allowAutoTopicCreation: false },
      {
        throttleTimeMs: 3,
        brokers: [{ nodeId: 1, host: 'h1', port: 9092, rack: 'r1' }],
        clusterId: 'c1',
        controllerId: 1,
        topics: [
          {
            errorCode: 0,
            name: 'a',
            isInternal: false,
            partitions: [
              {
                errorCode: 0,
                partitionIndex: 0,
                leaderId: 1,
                leaderEpoch: 5,
                replicaNodes: [1, 2],
                isrNodes: [1],
                offlineReplicas: [2],
              },
            ],
          },
        ],
      },
    );
    expect(request).toMatchObject({
      topics: [{ name: 'a' }, { name: 'b' }],
      allowAutoTopicCreation: v >= 4 ? false : true,
    });
    expect(response).toMatchObject({
      brokers: [{ nodeId: 1, host: 'h1', port: 9092, ...(v >= 1 ? { rack: 'r1' } : {}) }],
      ...(v >= 1 ? { controllerId: 1 } : {}),
      ...(v >= 2 ? { clusterId: 'c1' } : {}),
      ...throttle(v, 3, 6, 3),
      topicMetadata: [
        {
          topicErrorCode: 0,
          topic: 'a',
          partitionMetadata: [
            {
              partitionErrorCode: 0,
              partitionId: 0,
              leader: 1,
              replicas: [1, 2],
              isr: [1],
              ...(v >= 5 ? { offlineReplicas: [2] } : {}),
            },
          ],
        },
      ],
    });
  });
});

/** A record batch as kafkajs' producer builds it, taken from a Produce request our codec decoded. */
async function kafkajsBatch(): Promise<Buffer> {
  const { request } = kafkajs(
    'produce',
    3,
  )({
    acks: 1,
    timeout: 100,
    topicData: [
      {
        topic: 't',
        partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', timestamp: 1_700_000_000_000 }] }],
      },
    ],
  });
  const { decoded } = await requestThroughCodec(request);
  if (decoded.apiKey !== ApiKey.Produce) throw new Error('not a produce request');
  return Buffer.from(decoded.body.topicData[0]!.partitionData[0]!.records!);
}

describe('Produce', () => {
  test.each(versionsOf('produce'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'produce',
      ApiKey.Produce,
      v,
      {
        acks: -1,
        timeout: 1000,
        topicData: [
          {
            topic: 't',
            partitions: [
              {
                partition: 0,
                messages: [
                  { key: 'k', value: 'v' },
                  { key: 'k2', value: 'v2' },
                ],
              },
            ],
          },
        ],
      },
      {
        throttleTimeMs: 5,
        responses: [
          {
            name: 't',
            partitionResponses: [
              { index: 0, errorCode: 0, baseOffset: 42, logAppendTimeMs: 1_700_000_000_000, logStartOffset: 7 },
            ],
          },
        ],
      },
    );
    expect(request).toMatchObject({
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: 't', partitionData: [{ index: 0 }] }],
    });
    const records = request.topicData[0]!.partitionData[0]!.records!;
    if (v >= 3) {
      const header = readBatchHeader(records);
      validateBatch(records, header);
      expect(header.recordCount).toBe(2);
      expect(header.sizeBytes).toBe(records.length);
    } else {
      expect(records.length).toBeGreaterThan(0); // a v0/v1 message set
    }
    const partition = {
      partition: 0,
      errorCode: 0,
      ...(v < 3 ? { offset: '42' } : { baseOffset: '42' }),
      ...(v === 2 ? { timestamp: '1700000000000' } : {}),
      ...(v >= 3 ? { logAppendTime: '1700000000000' } : {}),
      ...(v >= 5 ? { logStartOffset: '7' } : {}),
    };
    expect(response).toMatchObject({ topics: [{ topicName: 't', partitions: [partition] }], ...throttle(v, 1, 6, 5) });
  });
});

describe('Fetch', () => {
  test.each(versionsOf('fetch'))('v%i', async (v) => {
    const stored = await kafkajsBatch();
    setBaseOffset(stored, 0, 10);
    const { request, response } = await exchange(
      'fetch',
      ApiKey.Fetch,
      v,
      {
        replicaId: -1,
        maxWaitTime: 100,
        minBytes: 1,
        maxBytes: 1000,
        isolationLevel: 1,
        rackId: 'rack-a',
        topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: '10', maxBytes: 2000 }] }],
      },
      {
        throttleTimeMs: 2,
        errorCode: 0,
        sessionId: 0,
        responses: [
          {
            topic: 't',
            partitions: [
              {
                partitionIndex: 0,
                errorCode: 0,
                highWatermark: 11,
                lastStableOffset: 11,
                logStartOffset: 3,
                abortedTransactions: [{ producerId: 9, firstOffset: 4 }],
                preferredReadReplica: -1,
                // kafkajs reads v0-v3 responses as magic 0/1 message sets: give those none.
                records: v >= 4 ? [stored.subarray(0, 30), stored.subarray(30)] : Buffer.alloc(0),
              },
            ],
          },
        ],
      },
    );
    expect(request).toMatchObject({
      replicaId: -1,
      maxWaitMs: 100,
      minBytes: 1,
      maxBytes: v >= 3 ? 1000 : 0x7fffffff,
      isolationLevel: v >= 4 ? 1 : 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 't',
          partitions: [{ partition: 0, fetchOffset: 10, partitionMaxBytes: 2000, currentLeaderEpoch: -1 }],
        },
      ],
      forgottenTopicsData: [],
      rackId: v >= 11 ? 'rack-a' : '',
    });
    const partition = response.responses as Array<{ topicName: string; partitions: Array<Record<string, unknown>> }>;
    expect(partition[0]!.topicName).toBe('t');
    expect(partition[0]!.partitions[0]).toMatchObject({
      partition: 0,
      errorCode: 0,
      highWatermark: '11',
      ...(v >= 4 ? { lastStableOffset: '11', abortedTransactions: [{ producerId: '9', firstOffset: '4' }] } : {}),
      ...(v >= 5 ? { lastStartOffset: '3' } : {}),
      ...(v >= 11 ? { preferredReadReplica: -1 } : {}),
    });
    const messages = partition[0]!.partitions[0]!.messages as Array<{ key: Buffer; value: Buffer; offset: string }>;
    if (v >= 4) {
      expect(messages.map((m) => [m.key.toString(), m.value.toString(), m.offset])).toEqual([['k', 'v', '10']]);
    } else {
      expect(messages).toEqual([]);
    }
    if (v >= 7) expect(response).toMatchObject({ errorCode: 0, sessionId: 0 });
  });
});

describe('ListOffsets', () => {
  test.each(versionsOf('listOffsets'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'listOffsets',
      ApiKey.ListOffsets,
      v,
      { replicaId: -1, isolationLevel: 1, topics: [{ topic: 't', partitions: [{ partition: 0, timestamp: -2 }] }] },
      {
        throttleTimeMs: 4,
        topics: [
          {
            name: 't',
            partitions: [{ partitionIndex: 0, errorCode: 0, oldStyleOffsets: [12], timestamp: -1, offset: 12 }],
          },
        ],
      },
    );
    expect(request).toMatchObject({
      replicaId: -1,
      isolationLevel: v >= 2 ? 1 : 0,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, timestamp: -2, maxNumOffsets: 1, currentLeaderEpoch: -1 }] },
      ],
    });
    const partition = v === 0 ? { offsets: ['12'] } : { timestamp: '-1', offset: '12' };
    expect(response).toMatchObject({
      responses: [{ topic: 't', partitions: [{ partition: 0, errorCode: 0, ...partition }] }],
      ...throttle(v, 2, 3, 4),
    });
  });
});

describe('CreateTopics', () => {
  test.each(versionsOf('createTopics'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'createTopics',
      ApiKey.CreateTopics,
      v,
      {
        topics: [
          {
            topic: 't',
            numPartitions: 3,
            replicationFactor: 1,
            replicaAssignment: [{ partition: 0, replicas: [1] }],
            configEntries: [{ name: 'retention.ms', value: '100' }],
          },
        ],
        timeout: 5000,
        validateOnly: true,
      },
      { throttleTimeMs: 2, topics: [{ name: 't', errorCode: 36, errorMessage: 'exists' }] },
    );
    expect(request).toEqual({
      topics: [
        {
          name: 't',
          numPartitions: 3,
          replicationFactor: 1,
          assignments: [{ partitionIndex: 0, brokerIds: [1] }],
          configs: [{ name: 'retention.ms', value: '100' }],
        },
      ],
      timeoutMs: 5000,
      validateOnly: v >= 1,
    });
    expect(response).toMatchObject({
      topicErrors: [{ topic: 't', errorCode: 36, ...(v >= 1 ? { errorMessage: 'exists' } : {}) }],
      ...throttle(v, 2, 3, 2),
    });
  });
});

describe('DeleteTopics', () => {
  test.each(versionsOf('deleteTopics'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'deleteTopics',
      ApiKey.DeleteTopics,
      v,
      { topics: ['t', 'u'], timeout: 5000 },
      {
        throttleTimeMs: 1,
        responses: [
          { name: 't', errorCode: 0 },
          { name: 'u', errorCode: 3 },
        ],
      },
    );
    expect(request).toEqual({ topics: [], topicNames: ['t', 'u'], timeoutMs: 5000 });
    expect(response).toMatchObject({
      topicErrors: [
        { topic: 't', errorCode: 0 },
        { topic: 'u', errorCode: 3 },
      ],
      ...throttle(v, 1, 1, 1),
    });
  });
});

describe('CreatePartitions', () => {
  test.each(versionsOf('createPartitions'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'createPartitions',
      ApiKey.CreatePartitions,
      v,
      { topicPartitions: [{ topic: 't', count: 3, assignments: [[1], [2]] }], validateOnly: true, timeout: 5000 },
      { throttleTimeMs: 3, results: [{ name: 't', errorCode: 37, errorMessage: 'too few' }] },
    );
    expect(request).toEqual({
      topics: [{ name: 't', count: 3, assignments: [{ brokerIds: [1] }, { brokerIds: [2] }] }],
      timeoutMs: 5000,
      validateOnly: true,
    });
    expect(response).toMatchObject({
      topicErrors: [{ topic: 't', errorCode: 37, errorMessage: 'too few' }],
      ...throttle(v, 0, 1, 3),
    });
  });
});

describe('DescribeConfigs', () => {
  test.each(versionsOf('describeConfigs'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'describeConfigs',
      ApiKey.DescribeConfigs,
      v,
      { resources: [{ type: 2, name: 't', configNames: ['retention.ms'] }], includeSynonyms: true },
      {
        throttleTimeMs: 0,
        results: [
          {
            errorCode: 0,
            errorMessage: null,
            resourceType: 2,
            resourceName: 't',
            configs: [
              {
                name: 'retention.ms',
                value: '100',
                readOnly: false,
                isDefault: false,
                configSource: 1,
                isSensitive: false,
                synonyms: [{ name: 'retention.ms', value: '100', source: 1 }],
              },
            ],
          },
        ],
      },
    );
    expect(request).toEqual({
      resources: [{ resourceType: 2, resourceName: 't', configurationKeys: ['retention.ms'] }],
      includeSynonyms: v >= 1,
      includeDocumentation: false,
    });
    const entry = {
      configName: 'retention.ms',
      configValue: '100',
      readOnly: false,
      isDefault: false,
      isSensitive: false,
    };
    const synonyms =
      v >= 1
        ? { configSource: 1, configSynonyms: [{ configName: 'retention.ms', configValue: '100', configSource: 1 }] }
        : {};
    expect(response).toMatchObject({
      resources: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: 2,
          resourceName: 't',
          configEntries: [{ ...entry, ...synonyms }],
        },
      ],
    });
  });
});

describe('AlterConfigs', () => {
  test.each(versionsOf('alterConfigs'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'alterConfigs',
      ApiKey.AlterConfigs,
      v,
      {
        resources: [{ type: 2, name: 't', configEntries: [{ name: 'retention.ms', value: '200' }] }],
        validateOnly: false,
      },
      { throttleTimeMs: 8, responses: [{ errorCode: 40, errorMessage: 'bad', resourceType: 2, resourceName: 't' }] },
    );
    expect(request).toEqual({
      resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: '200' }] }],
      validateOnly: false,
    });
    expect(response).toMatchObject({
      resources: [{ errorCode: 40, errorMessage: 'bad', resourceType: 2, resourceName: 't' }],
      ...throttle(v, 0, 1, 8),
    });
  });
});

describe('DeleteRecords', () => {
  test.each(versionsOf('deleteRecords'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'deleteRecords',
      ApiKey.DeleteRecords,
      v,
      { topics: [{ topic: 't', partitions: [{ partition: 0, offset: '5' }] }], timeout: 5000 },
      {
        throttleTimeMs: 0,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, lowWatermark: 5, errorCode: 0 }] }],
      },
    );
    expect(request).toEqual({
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: 5 }] }],
      timeoutMs: 5000,
    });
    const topics = response.topics as Array<{
      topic: string;
      partitions: Array<{ partition: number; lowWatermark: unknown; errorCode: number }>;
    }>;
    expect(topics[0]!.topic).toBe('t');
    expect(topics[0]!.partitions[0]).toMatchObject({ partition: 0, errorCode: 0 });
    expect(String(topics[0]!.partitions[0]!.lowWatermark)).toBe('5');
  });
});

describe('FindCoordinator', () => {
  test.each(versionsOf('findCoordinator'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'findCoordinator',
      ApiKey.FindCoordinator,
      v,
      { groupId: 'g' },
      {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        nodeId: 1,
        host: 'broker-1',
        port: 9092,
      },
    );
    expect(request).toEqual({ key: 'g', keyType: 0, coordinatorKeys: [] });
    expect(response).toMatchObject({ errorCode: 0, coordinator: { nodeId: 1, host: 'broker-1', port: 9092 } });
  });
});

describe('JoinGroup', () => {
  test.each(versionsOf('joinGroup'))('v%i', async (v) => {
    const metadata = Buffer.from([0, 1, 2]);
    const { request, response } = await exchange(
      'joinGroup',
      ApiKey.JoinGroup,
      v,
      {
        groupId: 'g',
        sessionTimeout: 30000,
        rebalanceTimeout: 60000,
        memberId: '',
        protocolType: 'consumer',
        groupProtocols: [{ name: 'range', metadata }],
      },
      {
        throttleTimeMs: 0,
        errorCode: 0,
        generationId: 3,
        protocolName: 'range',
        leader: 'm1',
        memberId: 'm1',
        members: [{ memberId: 'm1', groupInstanceId: null, metadata }],
      },
    );
    expect(request).toMatchObject({
      groupId: 'g',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: v >= 1 ? 60000 : -1,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      reason: null,
    });
    expect(request.protocols.map((p) => [p.name, p.metadata.toString('hex')])).toEqual([['range', '000102']]);
    expect(response).toMatchObject({
      errorCode: 0,
      generationId: 3,
      groupProtocol: 'range',
      leaderId: 'm1',
      memberId: 'm1',
    });
    expect(response.members).toEqual([
      { memberId: 'm1', memberMetadata: metadata, ...(v >= 5 ? { groupInstanceId: null } : {}) },
    ]);
  });
});

describe('SyncGroup', () => {
  test.each(versionsOf('syncGroup'))('v%i', async (v) => {
    const assignment = Buffer.from([9, 8]);
    const { request, response } = await exchange(
      'syncGroup',
      ApiKey.SyncGroup,
      v,
      {
        groupId: 'g',
        generationId: 3,
        memberId: 'm1',
        groupAssignment: [{ memberId: 'm1', memberAssignment: assignment }],
      },
      { throttleTimeMs: 0, errorCode: 0, assignment },
    );
    expect(request).toMatchObject({ groupId: 'g', generationId: 3, memberId: 'm1', groupInstanceId: null });
    expect(request.assignments.map((a) => [a.memberId, a.assignment.toString('hex')])).toEqual([['m1', '0908']]);
    expect(response).toMatchObject({ errorCode: 0, memberAssignment: assignment });
  });
});

describe('Heartbeat', () => {
  test.each(versionsOf('heartbeat'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'heartbeat',
      ApiKey.Heartbeat,
      v,
      { groupId: 'g', groupGenerationId: 3, memberId: 'm1', groupInstanceId: null },
      { throttleTimeMs: 4, errorCode: 27 },
    );
    expect(request).toEqual({ groupId: 'g', generationId: 3, memberId: 'm1', groupInstanceId: null });
    expect(response).toMatchObject({ errorCode: 27, ...throttle(v, 1, 2, 4) });
  });
});

describe('LeaveGroup', () => {
  test.each(versionsOf('leaveGroup'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'leaveGroup',
      ApiKey.LeaveGroup,
      v,
      { groupId: 'g', memberId: 'm1' },
      {
        throttleTimeMs: 0,
        errorCode: 0,
        members: [{ memberId: 'm1', groupInstanceId: null, errorCode: 0 }],
      },
    );
    expect(request).toEqual({
      groupId: 'g',
      memberId: v >= 3 ? '' : 'm1',
      members: v >= 3 ? [{ memberId: 'm1', groupInstanceId: null, reason: null }] : [],
    });
    expect(response).toMatchObject({
      errorCode: 0,
      ...(v >= 3 ? { members: [{ memberId: 'm1', groupInstanceId: null, errorCode: 0 }] } : {}),
    });
  });
});

describe('OffsetCommit', () => {
  test.each(versionsOf('offsetCommit'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'offsetCommit',
      ApiKey.OffsetCommit,
      v,
      {
        groupId: 'g',
        groupGenerationId: 3,
        memberId: 'm1',
        retentionTime: 1000,
        topics: [
          { topic: 't', partitions: [{ partition: 0, offset: '5', timestamp: 1_700_000_000_000, metadata: 'md' }] },
        ],
      },
      { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] },
    );
    expect(request).toMatchObject({
      groupId: 'g',
      generationIdOrMemberEpoch: v >= 1 ? 3 : -1,
      memberId: v >= 1 ? 'm1' : '',
      retentionTimeMs: v >= 2 && v <= 4 ? 1000 : -1,
      topics: [
        {
          name: 't',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 5,
              commitTimestamp: v === 1 ? 1_700_000_000_000 : -1,
              committedMetadata: 'md',
            },
          ],
        },
      ],
    });
    expect(response).toMatchObject({ responses: [{ topic: 't', partitions: [{ partition: 0, errorCode: 0 }] }] });
  });
});

describe('OffsetFetch', () => {
  test.each(versionsOf('offsetFetch'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'offsetFetch',
      ApiKey.OffsetFetch,
      v,
      { groupId: 'g', topics: [{ topic: 't', partitions: [{ partition: 0 }, { partition: 1 }] }] },
      {
        throttleTimeMs: 0,
        errorCode: 0,
        topics: [
          {
            name: 't',
            partitions: [
              { partitionIndex: 0, committedOffset: 5, metadata: 'md', errorCode: 0 },
              { partitionIndex: 1, committedOffset: -1, metadata: '', errorCode: 0 },
            ],
          },
        ],
      },
    );
    expect(request).toEqual({
      groupId: 'g',
      topics: [{ name: 't', partitionIndexes: [0, 1] }],
      groups: [],
      requireStable: false,
    });
    expect(response).toMatchObject({
      responses: [
        {
          topic: 't',
          partitions: [
            { partition: 0, offset: '5', metadata: 'md', errorCode: 0 },
            { partition: 1, offset: '-1', metadata: '', errorCode: 0 },
          ],
        },
      ],
      ...(v >= 2 ? { errorCode: 0 } : {}),
    });
  });
});

describe('DescribeGroups', () => {
  test.each(versionsOf('describeGroups'))('v%i', async (v) => {
    const metadata = Buffer.from([1]);
    const assignment = Buffer.from([2]);
    const { request, response } = await exchange(
      'describeGroups',
      ApiKey.DescribeGroups,
      v,
      { groupIds: ['g'] },
      {
        throttleTimeMs: 0,
        groups: [
          {
            errorCode: 0,
            groupId: 'g',
            groupState: 'Stable',
            protocolType: 'consumer',
            protocolData: 'range',
            members: [
              {
                memberId: 'm1',
                clientId: 'c',
                clientHost: '/h',
                memberMetadata: metadata,
                memberAssignment: assignment,
              },
            ],
          },
        ],
      },
    );
    expect(request).toEqual({ groups: ['g'], includeAuthorizedOperations: false });
    expect(response).toMatchObject({
      groups: [
        {
          errorCode: 0,
          groupId: 'g',
          state: 'Stable',
          protocolType: 'consumer',
          protocol: 'range',
          members: [
            { memberId: 'm1', clientId: 'c', clientHost: '/h', memberMetadata: metadata, memberAssignment: assignment },
          ],
        },
      ],
    });
  });
});

describe('ListGroups', () => {
  test.each(versionsOf('listGroups'))('v%i', async (v) => {
    const { request, response } = await exchange('listGroups', ApiKey.ListGroups, v, undefined, {
      throttleTimeMs: 0,
      errorCode: 0,
      groups: [{ groupId: 'g', protocolType: 'consumer' }],
    });
    expect(request).toEqual({ statesFilter: [], typesFilter: [] });
    expect(response).toMatchObject({ errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer' }] });
  });
});

describe('DeleteGroups', () => {
  test.each(versionsOf('deleteGroups'))('v%i', async (v) => {
    const { request, response } = await exchange('deleteGroups', ApiKey.DeleteGroups, v, ['g', 'h'], {
      throttleTimeMs: 0,
      results: [
        { groupId: 'g', errorCode: 0 },
        { groupId: 'h', errorCode: 69 },
      ],
    });
    expect(request).toEqual({ groupsNames: ['g', 'h'] });
    expect(response).toMatchObject({
      results: [
        { groupId: 'g', errorCode: 0 },
        { groupId: 'h', errorCode: 69 },
      ],
    });
  });
});

describe('InitProducerId', () => {
  test.each(versionsOf('initProducerId'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'initProducerId',
      ApiKey.InitProducerId,
      v,
      { transactionalId: 'tx', transactionTimeout: 30000 },
      { throttleTimeMs: 0, errorCode: 0, producerId: 77, producerEpoch: 2 },
    );
    expect(request).toEqual({ transactionalId: 'tx', transactionTimeoutMs: 30000, producerId: -1, producerEpoch: -1 });
    expect(response).toMatchObject({ errorCode: 0, producerId: '77', producerEpoch: 2 });
  });
});

describe('AddPartitionsToTxn', () => {
  test.each(versionsOf('addPartitionsToTxn'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'addPartitionsToTxn',
      ApiKey.AddPartitionsToTxn,
      v,
      { transactionalId: 'tx', producerId: 77, producerEpoch: 2, topics: [{ topic: 't', partitions: [0, 3] }] },
      { throttleTimeMs: 0, errorCode: 0, resultsByTransaction: [], resultsByTopicV3AndBelow: [{ name: 't', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: 0 }, { partitionIndex: 3, partitionErrorCode: 0 }] }] },
    );
    expect(request).toMatchObject({ v3AndBelowTransactionalId: 'tx', v3AndBelowProducerId: 77, v3AndBelowProducerEpoch: 2, v3AndBelowTopics: [{ name: 't', partitions: [0, 3] }] });
    expect(response).toMatchObject({ errors: [{ topic: 't', partitionErrors: [{ partition: 0, errorCode: 0 }, { partition: 3, errorCode: 0 }] }] });
  });
});

describe('AddOffsetsToTxn', () => {
  test.each(versionsOf('addOffsetsToTxn'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'addOffsetsToTxn',
      ApiKey.AddOffsetsToTxn,
      v,
      { transactionalId: 'tx', producerId: 77, producerEpoch: 2, groupId: 'g' },
      { throttleTimeMs: 0, errorCode: 0 },
    );
    expect(request).toEqual({ transactionalId: 'tx', producerId: 77, producerEpoch: 2, groupId: 'g' });
    expect(response).toMatchObject({ errorCode: 0 });
  });
});

describe('EndTxn', () => {
  test.each(versionsOf('endTxn'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'endTxn',
      ApiKey.EndTxn,
      v,
      { transactionalId: 'tx', producerId: 77, producerEpoch: 2, transactionResult: true },
      { throttleTimeMs: 0, errorCode: 0 },
    );
    expect(request).toEqual({ transactionalId: 'tx', producerId: 77, producerEpoch: 2, committed: true });
    expect(response).toMatchObject({ errorCode: 0 });
  });
});

describe('TxnOffsetCommit', () => {
  test.each(versionsOf('txnOffsetCommit'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'txnOffsetCommit',
      ApiKey.TxnOffsetCommit,
      v,
      { transactionalId: 'tx', groupId: 'g', producerId: 77, producerEpoch: 2, topics: [{ topic: 't', partitions: [{ partition: 3, offset: '42', metadata: null }] }] },
      { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 3, errorCode: 0 }] }] },
    );
    expect(request).toMatchObject({
      transactionalId: 'tx',
      groupId: 'g',
      producerId: 77,
      producerEpoch: 2,
      topics: [{ name: 't', partitions: [{ partitionIndex: 3, committedOffset: 42, committedMetadata: null }] }],
    });
    expect(response).toMatchObject({ topics: [{ topic: 't', partitions: [{ partition: 3, errorCode: 0 }] }] });
  });
});

describe('AlterPartitionReassignments', () => {
  test.each(versionsOf('alterPartitionReassignments'))('v%i', async (v) => {
    const { request, response } = await exchange(
      'alterPartitionReassignments',
      ApiKey.AlterPartitionReassignments,
      v,
      { topics: [{ topic: 't', partitionAssignment: [{ partition: 0, replicas: [2, 3] }, { partition: 1, replicas: [1] }] }], timeout: 3000 },
      {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        responses: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null }, { partitionIndex: 1, errorCode: 39, errorMessage: 'no broker 1' }] }],
      },
      1,
    );
    expect(request).toEqual({
      timeoutMs: 3000,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [2, 3] }, { partitionIndex: 1, replicas: [1] }] }],
    });
    expect(response).toMatchObject({ errorCode: 0, responses: [{ topic: 't', partitions: [{ partition: 0, errorCode: 0 }, { partition: 1, errorCode: 39 }] }] });
  });
});

describe('CreateAcls, DescribeAcls and DeleteAcls', () => {
  const acl = { resourceType: 2, resourceName: 'orders-', resourcePatternType: 4, principal: 'User:alice', host: '*', operation: 4, permissionType: 3 };
  const filter = { resourceType: 2, resourceName: 'orders-1', resourcePatternType: 2, principal: null, host: null, operation: 1, permissionType: 1 };
  /** v0 has no pattern type: the request decodes with LITERAL (3), the filter's default. */
  const patternOf = (v: number, type: number) => (v === 0 ? 3 : type);

  test.each(versionsOf('createAcls'))('CreateAcls v%i', async (v) => {
    const { request, response } = await exchange('createAcls', ApiKey.CreateAcls, v, { creations: [acl] }, { throttleTimeMs: 0, results: [{ errorCode: 0, errorMessage: null }] });
    expect(request.creations).toEqual([{ ...acl, resourcePatternType: patternOf(v, 4) }]);
    expect(response).toMatchObject({ creationResponses: [{ errorCode: 0 }] });
  });

  test.each(versionsOf('describeAcls'))('DescribeAcls v%i', async (v) => {
    const resources = [{ resourceType: 2, resourceName: 'orders-', patternType: patternOf(v, 4), acls: [{ principal: 'User:alice', host: '*', operation: 4, permissionType: 3 }] }];
    const { request, response } = await exchange('describeAcls', ApiKey.DescribeAcls, v, filter, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, resources });
    expect(request).toEqual({
      resourceTypeFilter: 2,
      resourceNameFilter: 'orders-1',
      patternTypeFilter: patternOf(v, 2),
      principalFilter: null,
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    });
    expect(response).toMatchObject({ errorCode: 0, resources: [{ resourceType: 2, resourceName: 'orders-', acls: [{ principal: 'User:alice', operation: 4 }] }] });
  });

  test.each(versionsOf('deleteAcls'))('DeleteAcls v%i', async (v) => {
    const matchingAcls = [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders-', patternType: patternOf(v, 4), principal: 'User:alice', host: '*', operation: 4, permissionType: 3 }];
    const { request, response } = await exchange('deleteAcls', ApiKey.DeleteAcls, v, { filters: [filter] }, { throttleTimeMs: 0, filterResults: [{ errorCode: 0, errorMessage: null, matchingAcls }] });
    expect(request.filters[0]).toMatchObject({ resourceTypeFilter: 2, resourceNameFilter: 'orders-1', patternTypeFilter: patternOf(v, 2), principalFilter: null });
    expect(response).toMatchObject({ filterResponses: [{ errorCode: 0, matchingAcls: [{ resourceName: 'orders-', principal: 'User:alice' }] }] });
  });
});

describe('ListPartitionReassignments', () => {
  test.each(versionsOf('listPartitionReassignments'))('v%i: named partitions and all', async (v) => {
    const ongoing = [{ name: 't', partitions: [{ partitionIndex: 2, replicas: [4, 1, 2], addingReplicas: [4], removingReplicas: [1] }] }];
    const named = await exchange('listPartitionReassignments', ApiKey.ListPartitionReassignments, v, { topics: [{ topic: 't', partitions: [2, 3] }], timeout: 3000 }, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      topics: ongoing,
    }, 1);
    expect(named.request).toEqual({ timeoutMs: 3000, topics: [{ name: 't', partitionIndexes: [2, 3] }] });
    expect(named.response).toMatchObject({ topics: [{ name: 't', partitions: [{ partition: 2, replicas: [4, 1, 2], addingReplicas: [4], removingReplicas: [1] }] }] });
    const all = await exchange('listPartitionReassignments', ApiKey.ListPartitionReassignments, v, { timeout: 3000 }, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics: [] }, 1);
    expect(all.request).toEqual({ timeoutMs: 3000, topics: null });
  });
});

test('the unread-bytes watch catches a response with a byte too many', async () => {
  const { response } = kafkajs('heartbeat', 0)({ groupId: 'g', groupGenerationId: 1, memberId: 'm' });
  const payload = Buffer.concat([responsePayload(ApiKey.Heartbeat, 0, { errorCode: 0 }), Buffer.from([0])]);
  await expect(kafkajsDecodes(response, payload)).rejects.toThrow(/left bytes of our response unread/);
});

test('kafkajs covers every client API of the registry except IncrementalAlterConfigs, OffsetDelete, OffsetForLeaderEpoch, ElectLeaders, DescribeCluster, DescribeProducers, DescribeTransactions, ListTransactions, ConsumerGroupHeartbeat, ConsumerGroupDescribe, DescribeLogDirs, DescribeTopicPartitions, the share group APIs, the SCRAM credential APIs, the client quota APIs and client telemetry', () => {
  const covered = [
    'apiVersions',
    'metadata',
    'produce',
    'fetch',
    'listOffsets',
    'createTopics',
    'deleteTopics',
    'createPartitions',
    'describeConfigs',
    'alterConfigs',
    'deleteRecords',
    'findCoordinator',
    'joinGroup',
    'syncGroup',
    'heartbeat',
    'leaveGroup',
    'offsetCommit',
    'offsetFetch',
    'describeGroups',
    'listGroups',
    'deleteGroups',
    'initProducerId',
    'addPartitionsToTxn',
    'addOffsetsToTxn',
    'endTxn',
    'txnOffsetCommit',
    'alterPartitionReassignments',
    'listPartitionReassignments',
    'createAcls',
    'describeAcls',
    'deleteAcls',
    'saslHandshake',
    'saslAuthenticate',
  ];
  // + the five inter-broker APIs (LeaderAndIsr, StopReplica, UpdateMetadata, ControlledShutdown, WriteTxnMarkers)
  // DescribeProducers (the Java Admin's), ConsumerGroupHeartbeat and ConsumerGroupDescribe (KIP-848, newer than kafkajs),
  // DescribeLogDirs and DescribeTopicPartitions (kafkajs has neither), KIP-932's seven share group APIs,
  // DescribeUserScramCredentials and AlterUserScramCredentials (the Java Admin's), DescribeClientQuotas and
  // AlterClientQuotas (kafkajs has neither), KIP-714's GetTelemetrySubscriptions and PushTelemetry
  // (librdkafka's and the Java client's, newer than kafkajs), the share coordinator's three inter-broker
  // APIs (Read-, Write- and DeleteShareGroupState), and ListConfigResources (KIP-714/KIP-1142, newer than kafkajs).
  expect(covered.length + 7 + 5 + 3 + 2 + 7 + 2 + 2 + 2 + 3 + 1).toBe(Object.keys(ApiKey).length);
});
