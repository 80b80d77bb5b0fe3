// Its own file so the module starts uninitialised (vitest runs each file in a fresh process).
import { expect, test } from 'vitest';
import { compress, decompress, initCompression } from '../../../../protocol/kafka/compression/codecs.js';
import { Compression } from '../../../../protocol/kafka/records/batch-header.js';

test('zstd refuses to run before initCompression(), then works; init is idempotent', async () => {
  const data = Buffer.from('zstd '.repeat(100));
  expect(() => compress(Compression.Zstd, data)).toThrow(/initCompression/);
  await Promise.all([initCompression(), initCompression()]);
  await initCompression();
  expect(decompress(Compression.Zstd, compress(Compression.Zstd, data)).equals(data)).toBe(true);
});
