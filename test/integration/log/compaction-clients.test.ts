// Real clients' batches through compaction: batches kafka-python and librdkafka encoded (golden files, every
// codec) and batches kafkajs's producer encoder builds (run in-process) are stored several times over,
// compacted, and what the log then returns decodes with kafkajs's own Fetch records decoder: each key's
// latest record at its original offset, with its timestamp and headers, tombstones included, records
// without a key gone. kafkajs has gzip built in; for snappy, lz4 and zstd its codec registry is given
// decompressors (ours), so its record decoding still runs on the rewritten batches.
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { decompress, initCompression } from '../../../protocol/kafka/compression/codecs.js';
import { compressionId } from '../../../protocol/kafka/records/batch-attributes.js';
import { Compression, DELETE_HORIZON_BIT, readBatchHeader } from '../../../protocol/kafka/records/batch-header.js';
import type { PartitionLog } from '../../../src/log/partition-log.js';
import { describeBytes, type Described, readFixture, readManifest } from '../../fixtures/records/manifest.js';
import { cleanerFor, COMPACT, kvBatch } from '../../unit/log/cleaner-fixture.js';
import { openLog, T0, tempDir } from '../../unit/log/fixture.js';

const require = createRequire(import.meta.url);
interface KafkajsRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null>;
}
const decodeMessages = require('kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js') as (d: unknown) => Promise<KafkajsRecord[]>;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => unknown;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch(o: object): Promise<{ buffer: Buffer }> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (o: object) => object;
const kafkajsCodecs = require('kafkajs/src/protocol/message/compression/index.js') as {
  Codecs: Record<number, () => { decompress(b: Buffer): Promise<Buffer>; compress(e: unknown): Promise<Buffer> }>;
};

const DELETE_RETENTION_MS = 3_600_000;

beforeAll(async () => {
  await initCompression();
  for (const codec of [Compression.Snappy, Compression.Lz4, Compression.Zstd]) {
    kafkajsCodecs.Codecs[codec] = () => ({
      decompress: async (b) => decompress(codec, b),
      compress: () => Promise.reject(new Error('not used')),
    });
  }
});

interface Seen {
  offset: number;
  timestamp: number;
  key: Described;
  value: Described;
  headers: [string, Described][];
}

/** The whole log as kafkajs decodes it from reads, each a Fetch response's records field. */
async function kafkajsView(log: PartitionLog): Promise<Seen[]> {
  const out: Seen[] = [];
  for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
    const r = await log.read(offset, 1 << 20);
    const body = Buffer.concat(r.chunks);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    for (const rec of await decodeMessages(new Decoder(Buffer.concat([size, body])))) {
      if (Number(rec.offset) < offset) continue;
      out.push({
        offset: Number(rec.offset),
        timestamp: Number(rec.timestamp),
        key: describeBytes(rec.key),
        value: describeBytes(rec.value),
        headers: Object.entries(rec.headers).map(([k, v]) => [k, describeBytes(v)]),
      });
    }
    offset = r.nextOffset;
  }
  return out;
}

/** Stored batches from the log start, as headers. */
async function storedHeaders(log: PartitionLog) {
  const out = [];
  for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
    const r = await log.read(offset, 1 << 20);
    const buf = Buffer.concat(r.chunks);
    for (let pos = 0; pos < buf.length; pos += readBatchHeader(buf, pos).sizeBytes) out.push(readBatchHeader(buf, pos));
    offset = r.nextOffset;
  }
  return out;
}

/** Opens a compacted log fit for batches up to `biggest` bytes, rolling when timestamps jump. */
function compactedLog(biggest: number) {
  return tempDir().then((dir) => openLog(dir, { ...COMPACT, segmentBytes: biggest + 100, segmentMs: 60_000, maxMessageBytes: biggest + 100, deleteRetentionMs: DELETE_RETENTION_MS }));
}

/** A small batch far in the future: it rolls the segment, so everything before it can be cleaned. */
function tail(): Buffer {
  return kvBatch([['tail', 'end', T0 + 10_000_000]]);
}

const GOLDEN: [string, number][] = [
  ['kafka-python-none.bin', Compression.None],
  ['kafka-python-gzip.bin', Compression.Gzip],
  ['kafka-python-snappy.bin', Compression.Snappy],
  ['kafka-python-lz4.bin', Compression.Lz4],
  ['kafka-python-zstd.bin', Compression.Zstd],
  ['kafka-python-zstd-streamed.bin', Compression.Zstd],
  ['librdkafka-none.bin', Compression.None],
  ['librdkafka-gzip.bin', Compression.Gzip],
  ['librdkafka-snappy.bin', Compression.Snappy],
  ['librdkafka-lz4.bin', Compression.Lz4],
  ['librdkafka-zstd.bin', Compression.Zstd],
];

describe.each(GOLDEN)('%s stored three times and compacted', (file, codec) => {
  it('keeps the last copy of each keyed record, in a batch of the same codec kafkajs decodes', async () => {
    const manifest = readManifest(file.startsWith('kafka-python') ? 'kafka-python.json' : 'librdkafka.json');
    const golden = readFixture(file);
    const log = await compactedLog(golden.length);
    for (let copy = 0; copy < 3; copy++) log.append(Buffer.from(golden), T0);
    log.append(tail(), T0);
    await log.flush();
    const pass = await cleanerFor([log]).runPass(T0);
    // Records without a key (one a copy) are not worth keeping in a compacted topic.
    expect(pass?.stats).toMatchObject({ endOffset: 15, keylessRecords: 3, recordsKept: 4 });

    const headers = await storedHeaders(log);
    expect(headers.map((h) => [h.baseOffset, h.lastOffsetDelta, h.recordCount])).toEqual([
      [10, 4, 4],
      [15, 0, 1],
    ]);
    expect(compressionId(headers[0]!.attributes)).toBe(codec);
    // The empty key's null value is a tombstone: its batch now carries the delete horizon.
    expect(headers[0]!.attributes & DELETE_HORIZON_BIT).toBe(DELETE_HORIZON_BIT);
    expect(headers[0]!.baseTimestamp).toBe(T0 + DELETE_RETENTION_MS);

    const keyed = manifest.records.filter((r) => r.key !== null);
    const seen = await kafkajsView(log);
    expect(seen.slice(0, -1)).toEqual(keyed.map((r) => ({ offset: 10 + r.offsetDelta, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers })));
    expect(seen.at(-1)).toMatchObject({ offset: 15, value: { hex: Buffer.from('end').toString('hex') } });
    expect([log.logStartOffset, log.logEndOffset]).toEqual([0, 16]);
  });
});

describe('kafkajs producer batches', () => {
  async function kafkajsBatch(records: [string, string | null][], compression: number, firstTimestamp: number): Promise<Buffer> {
    const encoded = await RecordBatch({
      compression,
      firstTimestamp,
      maxTimestamp: firstTimestamp + records.length - 1,
      lastOffsetDelta: records.length - 1,
      records: records.map(([key, value], i) =>
        Record({ offsetDelta: i, timestampDelta: i, key: Buffer.from(key), value: value === null ? null : Buffer.from(value), headers: { seq: Buffer.from(String(i)) } }),
      ),
    });
    return Buffer.from(encoded.buffer);
  }

  it.each([
    ['none', 0],
    ['gzip', 1],
  ])('(%s) compact to the latest value per key and a tombstone, read back by kafkajs', async (_name, compression) => {
    const log = await compactedLog(10_000);
    const expected = new Map<string, Seen>();
    for (let b = 0; b < 30; b++) {
      const records: [string, string | null][] = Array.from({ length: 4 }, (_, i) => [`user-${(b * 4 + i) % 9}`, `profile ${b}.${i} ${'x'.repeat(30)}`]);
      if (b === 29) records[1] = [records[1]![0], null];
      const ts = T0 + 100 * b;
      const { baseOffset } = log.append(await kafkajsBatch(records, compression, ts), T0);
      records.forEach(([key, value], i) =>
        expected.set(key, {
          offset: baseOffset + i,
          timestamp: ts + i,
          key: describeBytes(Buffer.from(key)),
          value: describeBytes(value === null ? null : Buffer.from(value)),
          headers: [['seq', describeBytes(Buffer.from(String(i)))]],
        }),
      );
    }
    log.append(tail(), T0);
    await log.flush();
    await cleanerFor([log]).runPass(T0);
    const seen = await kafkajsView(log);
    const want = [...expected.values()].sort((a, b) => a.offset - b.offset);
    expect(seen.slice(0, -1)).toEqual(want);
    expect(want.filter((w) => w.value === null)).toHaveLength(1);
    for (const h of (await storedHeaders(log)).slice(0, -1)) expect(compressionId(h.attributes)).toBe(compression);

    // Reopened from disk, kafkajs reads the same.
    await log.close();
    const again = await openLog(log.dir, { ...COMPACT, segmentBytes: 10_100, segmentMs: 60_000 }, { tailCacheBytes: 0 });
    expect((await kafkajsView(again)).slice(0, -1)).toEqual(want);
  });
});
