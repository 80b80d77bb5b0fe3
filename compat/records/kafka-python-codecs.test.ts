// Our compressors' output for every codec, decompressed by kafka-python's own codec functions (kafka.codec).
import { createHash } from 'node:crypto';
import { beforeAll, expect, test } from 'vitest';
import { compress, initCompression } from '../../protocol/kafka/compression/codecs.js';
import { CODEC_INPUTS, COMPRESSION_CODECS } from '../../test/fixtures/records/codec-inputs.js';
import { decompressWithKafkaPython } from './python-clients.js';

beforeAll(() => initCompression());

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

test("kafka-python's codecs decode what ours compress", () => {
  const pairs: Array<[number, Buffer]> = [];
  const expected: string[] = [];
  for (const codec of COMPRESSION_CODECS) {
    for (const input of Object.values(CODEC_INPUTS)) {
      pairs.push([codec, compress(codec, input)]);
      expected.push(sha256(input));
    }
  }
  expect(decompressWithKafkaPython(pairs)).toEqual(expected);
});
