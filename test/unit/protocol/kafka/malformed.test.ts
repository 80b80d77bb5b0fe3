// Bad input never hurts the decoder: every malformed frame gives DecodeError (or a KafkaProtocolError for
// an unknown API or version), never another exception, and no length is trusted before it is checked.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { DecodeError, Reader } from '../../../../protocol/bytes.js';
import {
  decodeMessage,
  decodeRequestFrame,
  encodeMessage,
  EncodeError,
  KafkaProtocolError,
  MAX_STRING_BYTES,
  readArrayCount,
  readCompactArrayCount,
  readCompactString,
  readNullableBytes,
  readString,
  readUuid,
  skipTaggedFields,
} from '../../../../protocol/kafka/index.js';
import { ApiVersionsResponseSpec } from '../../../../protocol/kafka/messages/18-api-versions.js';
import { DescribeGroupsRequestSpec } from '../../../../protocol/kafka/messages/15-describe-groups.js';
import { MetadataRequestSpec, MetadataResponseSpec } from '../../../../protocol/kafka/messages/3-metadata.js';

const frames: Buffer[] = ['librdkafka.json', 'kafka-python.json', 'platformatic-kafka.json'].flatMap((name) => {
  const url = new URL(`../../../fixtures/kafka/captured/${name}`, import.meta.url);
  const doc = JSON.parse(readFileSync(url, 'utf8')) as { frames: Array<{ frame: string }> };
  return doc.frames.map((f) => Buffer.from(f.frame, 'hex'));
});

/** Decodes, and lets only the two expected kinds of failure through. */
function decodeOrRefuse(frame: Buffer): 'decoded' | 'refused' {
  try {
    decodeRequestFrame(frame);
    return 'decoded';
  } catch (err) {
    if (err instanceof DecodeError || err instanceof KafkaProtocolError) return 'refused';
    throw err;
  }
}

const bytes = (hex: string) => new Reader(Buffer.from(hex, 'hex'));

describe('captured frames, damaged', () => {
  test('every truncation of every real frame is refused', () => {
    for (const frame of frames) {
      for (let n = 0; n < frame.length; n++) expect(decodeOrRefuse(frame.subarray(0, n))).toBe('refused');
    }
  });

  test('random byte corruption is decoded or refused, never a crash', () => {
    let seed = 0x2545f491;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x1_0000_0000;
    };
    for (const frame of frames) {
      for (let i = 0; i < 40; i++) {
        const damaged = Buffer.from(frame);
        // Leave the API key and version alone so the body decoder is the one being tested.
        const at = 4 + Math.floor(random() * (damaged.length - 4));
        damaged[at] = Math.floor(random() * 256);
        if (random() < 0.5) damaged[Math.min(at + 1, damaged.length - 1)] = 0xff;
        decodeOrRefuse(damaged);
      }
    }
  });
});

describe('lengths are checked before anything is allocated', () => {
  test('negative lengths', () => {
    expect(() => readString(bytes('fffe'))).toThrow(DecodeError);
    expect(() => readNullableBytes(bytes('fffffffe'))).toThrow(DecodeError);
    expect(() => readArrayCount(bytes('fffffffe'), 4)).toThrow(/negative array length/);
  });

  test('huge array counts are refused against the remaining bytes', () => {
    expect(() => readArrayCount(bytes('7fffffff' + '00000000'), 4)).toThrow(/exceeds/);
    expect(() => readArrayCount(bytes('00000064' + '00000000'), 4)).toThrow(/cannot fit/);
    expect(() => readCompactArrayCount(bytes('ffffffff0f' + '00'), 1)).toThrow(DecodeError);
    // Metadata v0: 2^31-1 topics announced, a few bytes present.
    expect(() => decodeMessage(MetadataRequestSpec, 0, Buffer.from('0000ffff00016100', 'hex'))).toThrow(/cannot fit/);
    // An array of empty structs still needs a byte per element.
    expect(() => readArrayCount(bytes('00010000'), 0)).toThrow(DecodeError);
  });

  test('strings past their bytes, or past Kafka’s limit', () => {
    expect(() => readString(bytes('0005' + '6162'))).toThrow(DecodeError);
    const tooLong = Buffer.alloc(MAX_STRING_BYTES + 10, 0x61);
    const compact = Buffer.concat([Buffer.from('c3b802', 'hex'), tooLong]); // uvarint 40003: 40002 bytes
    expect(() => readCompactString(new Reader(compact))).toThrow(/exceeds/);
  });

  test('bad varints', () => {
    expect(() => readCompactString(bytes('ffffffffff01'))).toThrow(/longer than 5 bytes|exceeds 32 bits/);
    expect(() => readCompactString(bytes('8080'))).toThrow(DecodeError);
    expect(() => skipTaggedFields(bytes('80'))).toThrow(DecodeError);
  });

  test('truncated uuids', () => {
    expect(() => readUuid(bytes('00'.repeat(15)))).toThrow(DecodeError);
  });

  test('tagged sections: unknown fields are skipped, but never past the end', () => {
    const r = bytes('02' + '0a02abcd' + '1400' + 'ee');
    skipTaggedFields(r);
    expect(r.remaining).toBe(1);
    expect(() => skipTaggedFields(bytes('01' + '0a05abcd'))).toThrow(DecodeError);
    expect(() => skipTaggedFields(bytes('7f' + '0000'))).toThrow(/cannot fit/);
    const body = '0000' + '01' + '00000000';
    const lyingSize = '01' + '63' + 'ffffffff0f';
    expect(() => decodeMessage(ApiVersionsResponseSpec, 3, Buffer.from(body + lyingSize, 'hex'))).toThrow(DecodeError);
  });

  test('trailing bytes after a whole message', () => {
    expect(() => decodeMessage(DescribeGroupsRequestSpec, 0, Buffer.from('00000000' + '00', 'hex'))).toThrow(
      /trailing/,
    );
  });
});

describe('values that cannot be encoded', () => {
  test('strings longer than Kafka allows', () => {
    const name = 'x'.repeat(MAX_STRING_BYTES + 1);
    expect(() => encodeMessage(MetadataRequestSpec, 1, { topics: [{ name }] })).toThrow(EncodeError);
  });

  test('malformed uuids', () => {
    expect(() => encodeMessage(MetadataRequestSpec, 10, { topics: [{ topicId: 'not-a-uuid', name: 't' }] })).toThrow(
      EncodeError,
    );
  });

  test('null where the version does not allow it', () => {
    expect(() =>
      encodeMessage(MetadataResponseSpec, 9, { brokers: [{ nodeId: 1, host: null as unknown as string }] }),
    ).toThrow(EncodeError);
    expect(() => encodeMessage(MetadataResponseSpec, 0, { brokers: null as unknown as [] })).toThrow(EncodeError);
  });
});
