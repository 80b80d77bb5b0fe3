import { describe, expect, expectTypeOf, test } from 'vitest';
import { DecodeError, Reader, Writer } from '../../../../protocol/bytes.js';
import {
  decodeMessage,
  encodeMessage,
  EncodeError,
  ErrorCode,
  KafkaProtocolError,
  messageCodec,
  type MessageSpec,
} from '../../../../protocol/kafka/index.js';
import {
  ApiVersionsRequestSpec,
  ApiVersionsResponseSpec,
  type ApiVersionsResponse,
} from '../../../../protocol/kafka/messages/18-api-versions.js';
import {
  FetchRequestSpec,
  FetchResponseSpec,
  type FetchResponse,
} from '../../../../protocol/kafka/messages/1-fetch.js';
import { MetadataRequestSpec, type MetadataRequest } from '../../../../protocol/kafka/messages/3-metadata.js';
import {
  ProduceRequestSpec,
  type ProduceRequest,
  type ProduceRequestInput,
} from '../../../../protocol/kafka/messages/0-produce.js';

function hex(chunks: Buffer[]): string {
  return Buffer.concat(chunks).toString('hex');
}

describe('hand-checked encodings', () => {
  test('classic strings and arrays (Metadata v0/v1)', () => {
    expect(hex(encodeMessage(MetadataRequestSpec, 0, { topics: [{ name: 'a' }] }))).toBe('00000001' + '0001' + '61');
    expect(hex(encodeMessage(MetadataRequestSpec, 1, { topics: null }))).toBe('ffffffff');
    expect(decodeMessage(MetadataRequestSpec, 1, Buffer.from('ffffffff', 'hex')).topics).toBeNull();
  });

  test('null is refused where the version does not allow it', () => {
    expect(() => encodeMessage(MetadataRequestSpec, 0, { topics: null })).toThrow(EncodeError);
    expect(() => decodeMessage(MetadataRequestSpec, 0, Buffer.from('ffffffff', 'hex'))).toThrow(DecodeError);
  });

  test('compact strings, arrays and tagged sections (Metadata v9, ApiVersions v3)', () => {
    const v9 = encodeMessage(MetadataRequestSpec, 9, {
      topics: [{ name: 'a' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: true,
    });
    // topics: count+1, name length+1 'a', struct tags | auto-create | cluster ops | topic ops | tags
    expect(hex(v9)).toBe('02' + '0261' + '00' + '01' + '00' + '01' + '00');
    const v3 = encodeMessage(ApiVersionsRequestSpec, 3, { clientSoftwareName: 'kcat', clientSoftwareVersion: '1.7' });
    expect(hex(v3)).toBe('05' + Buffer.from('kcat').toString('hex') + '04' + Buffer.from('1.7').toString('hex') + '00');
  });

  test('fields absent in a version decode to Kafka defaults', () => {
    const v0 = decodeMessage(MetadataRequestSpec, 0, Buffer.from('00000000', 'hex'));
    expect(v0).toEqual({
      topics: [],
      allowAutoTopicCreation: true, // the spec default
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const v0Fetch = Buffer.from('ffffffff' + '00000064' + '00000001' + '00000000', 'hex');
    const fetch = decodeMessage(FetchRequestSpec, 0, v0Fetch);
    expect(fetch).toMatchObject({
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1 },
      maxWaitMs: 100,
      minBytes: 1,
      maxBytes: 0x7fffffff,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [],
      forgottenTopicsData: [],
      rackId: '',
    });
  });

  test('fields absent in a version are ignored when encoding', () => {
    const full = { topics: [{ name: 'x', topicId: 'ab'.repeat(16) }], allowAutoTopicCreation: false };
    expect(hex(encodeMessage(MetadataRequestSpec, 0, full))).toBe('00000001' + '0001' + '78');
  });

  test('omitted input fields take their defaults', () => {
    expect(hex(encodeMessage(MetadataRequestSpec, 4, { topics: [] }))).toBe('00000000' + '01');
  });
});

describe('tagged fields', () => {
  const withFeatures = {
    errorCode: 0,
    apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
    throttleTimeMs: 0,
    supportedFeatures: [{ name: 'f', minVersion: 1, maxVersion: 2 }],
    finalizedFeaturesEpoch: 5,
  };

  test('non-default tagged fields are written in tag order with their sizes', () => {
    const bytes = hex(encodeMessage(ApiVersionsResponseSpec, 3, withFeatures));
    const body = '0000' + '02' + '0012' + '0000' + '0004' + '00' + '00000000';
    const features = '02' + '0266' + '0001' + '0002' + '00';
    expect(bytes).toBe(body + '02' + '00' + '08' + features + '01' + '08' + '0000000000000005');
  });

  test('tagged fields equal to their default are left out', () => {
    const defaults = { ...withFeatures, supportedFeatures: [], finalizedFeaturesEpoch: -1 };
    const bytes = hex(encodeMessage(ApiVersionsResponseSpec, 3, defaults));
    expect(bytes.endsWith('00000000' + '00')).toBe(true);
  });

  test('tagged fields decode, and unknown tags are skipped', () => {
    const body = '0000' + '01' + '00000000';
    const known = '01' + '08' + '0000000000000007';
    const unknown = '63' + '03' + 'aabbcc'; // tag 99, 3 bytes
    const value = decodeMessage(ApiVersionsResponseSpec, 3, Buffer.from(body + '02' + known + unknown, 'hex'));
    expect(value.finalizedFeaturesEpoch).toBe(7);
    expect(value.supportedFeatures).toEqual([]);
    expect(value.zkMigrationReady).toBe(false);
  });

  test('a known tagged field must fill exactly its declared size', () => {
    const body = '0000' + '01' + '00000000';
    const short = '01' + '09' + '000000000000000700';
    const frame = Buffer.from(body + '01' + short, 'hex');
    expect(() => decodeMessage(ApiVersionsResponseSpec, 3, frame)).toThrow(DecodeError);
  });

  test('tagged structs round-trip and default ones stay off the wire', () => {
    const partition = {
      partitionIndex: 0,
      errorCode: 0,
      highWatermark: 10,
      records: null,
      currentLeader: { leaderId: 3, leaderEpoch: 7 },
    };
    const value = { responses: [{ topic: 't', partitions: [partition] }] };
    const decoded = decodeMessage(FetchResponseSpec, 12, Buffer.concat(encodeMessage(FetchResponseSpec, 12, value)));
    const p = decoded.responses[0]!.partitions[0]!;
    expect(p.currentLeader).toEqual({ leaderId: 3, leaderEpoch: 7 });
    expect(p.divergingEpoch).toEqual({ epoch: -1, endOffset: -1 });
    const unknownLeader = { ...partition, currentLeader: { leaderId: -1, leaderEpoch: -1 } };
    const plainValue = { responses: [{ topic: 't', partitions: [unknownLeader] }] };
    const plain = Buffer.concat(encodeMessage(FetchResponseSpec, 12, plainValue));
    const tagged = Buffer.concat(encodeMessage(FetchResponseSpec, 12, value));
    // currentLeader costs tag, size, two int32s and the struct's own empty tag section
    expect(tagged.length - plain.length).toBe(1 + 1 + 8 + 1);
  });
});

describe('records', () => {
  test('decode to a view of the frame, not a copy', () => {
    const batch = Buffer.alloc(70, 7);
    const frame = Buffer.concat(
      encodeMessage(ProduceRequestSpec, 3, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 1000,
        topicData: [{ name: 't', partitionData: [{ index: 0, records: batch }] }],
      }),
    );
    const records = decodeMessage(ProduceRequestSpec, 3, frame).topicData[0]!.partitionData[0]!.records!;
    expect(records.equals(batch)).toBe(true);
    expect(records.buffer).toBe(frame.buffer);
  });

  test('encode from several stored slices by reference, with one length prefix', () => {
    const a = Buffer.alloc(2000, 1);
    const b = Buffer.alloc(3000, 2);
    const partition = { partitionIndex: 0, errorCode: 0, highWatermark: 5, records: [a, b] };
    for (const version of [4, 12]) {
      const value = { responses: [{ topic: 't', partitions: [partition] }] };
      const chunks = encodeMessage(FetchResponseSpec, version, value);
      expect(chunks).toContain(a);
      expect(chunks).toContain(b);
      const decoded = decodeMessage(FetchResponseSpec, version, Buffer.concat(chunks));
      expect(decoded.responses[0]!.partitions[0]!.records!.equals(Buffer.concat([a, b]))).toBe(true);
    }
  });

  test('null records', () => {
    const value = { responses: [{ topic: 't', partitions: [{ partitionIndex: 1, records: null }] }] };
    for (const version of [4, 12]) {
      const encoded = Buffer.concat(encodeMessage(FetchResponseSpec, version, value));
      const decoded = decodeMessage(FetchResponseSpec, version, encoded);
      expect(decoded.responses[0]!.partitions[0]!.records).toBeNull();
    }
  });
});

describe('compilation', () => {
  test('each (message, version) compiles once', () => {
    expect(messageCodec(FetchRequestSpec, 11)).toBe(messageCodec(FetchRequestSpec, 11));
    expect(messageCodec(FetchRequestSpec, 12).flexible).toBe(true);
    expect(messageCodec(FetchRequestSpec, 11).flexible).toBe(false);
  });

  test('versions outside the spec are UNSUPPORTED_VERSION', () => {
    for (const version of [-1, 19, 1.5]) {
      try {
        messageCodec(FetchRequestSpec, version);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(KafkaProtocolError);
        expect((err as KafkaProtocolError).code).toBe(ErrorCode.UNSUPPORTED_VERSION);
      }
    }
  });

  test('a spec with an unknown type is refused when compiled', () => {
    const bad = {
      apiKey: 99,
      type: 'request',
      name: 'Bad',
      validVersions: '0',
      flexibleVersions: 'none',
      fields: [{ name: 'X', type: 'int128', versions: '0+' }],
    } as const satisfies MessageSpec;
    expect(() => messageCodec(bad, 0)).toThrow(/unknown type int128/);
  });

  test('decoding reads from the reader position and leaves it after the message', () => {
    const body = Buffer.concat(encodeMessage(MetadataRequestSpec, 1, { topics: [{ name: 'a' }] }));
    const r = new Reader(Buffer.concat([Buffer.from('ffff', 'hex'), body, Buffer.from('ee', 'hex')]), 2);
    expect(messageCodec(MetadataRequestSpec, 1).decode(r).topics).toEqual([{ topicId: '0'.repeat(32), name: 'a' }]);
    expect(r.remaining).toBe(1);
    const w = new Writer();
    messageCodec(MetadataRequestSpec, 1).encode(w, { topics: [{ name: 'a' }] });
    expect(w.toBuffer().equals(body)).toBe(true);
  });
});

describe('value types are derived from the specs', () => {
  test('decoded types', () => {
    expectTypeOf<ProduceRequest['transactionalId']>().toEqualTypeOf<string | null>();
    expectTypeOf<ProduceRequest['acks']>().toEqualTypeOf<number>();
    type Partition = ProduceRequest['topicData'][number]['partitionData'][number];
    expectTypeOf<Partition['records']>().toEqualTypeOf<Buffer | null>();
    expectTypeOf<MetadataRequest['topics']>().toEqualTypeOf<{ topicId: string; name: string | null }[] | null>();
    expectTypeOf<FetchResponse['responses'][number]['partitions'][number]['currentLeader']>().toEqualTypeOf<{
      leaderId: number;
      leaderEpoch: number;
    }>();
    expectTypeOf<ApiVersionsResponse['zkMigrationReady']>().toEqualTypeOf<boolean>();
  });

  test('input types accept stored slices and leave fields optional', () => {
    expectTypeOf<NonNullable<ProduceRequestInput['topicData']>[number]['partitionData']>().toEqualTypeOf<
      readonly { index?: number; records?: Uint8Array | readonly Uint8Array[] | null }[] | undefined
    >();
    expectTypeOf<ProduceRequest>().toExtend<ProduceRequestInput>();
  });
});
