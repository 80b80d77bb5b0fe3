// kafkajs (a real client, run in-process): batches its producer encoder builds are stored, the log
// assigns their offsets, and what a read returns (from memory and, after a reopen, from the files)
// decodes with the very function kafkajs uses on a Fetch response's records.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { openLog, T0, tempDir } from '../../unit/log/fixture.js';

const require = createRequire(import.meta.url);
type KafkajsRecord = object;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch(o: object): Promise<{ buffer: Buffer }>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (o: object) => KafkajsRecord;
const decodeMessages = require('kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js') as (d: unknown) => Promise<
  Array<{ offset: string; timestamp: string; key: Buffer | null; value: Buffer | null }>
>;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => unknown;

async function kafkajsBatch(values: string[], compression: number, firstTimestamp: number): Promise<Buffer> {
  const records = values.map((v, i) => Record({ offsetDelta: i, timestampDelta: i, key: Buffer.from(`k${v}`), value: Buffer.from(v), headers: {} }));
  const encoded = await RecordBatch({ compression, firstTimestamp, maxTimestamp: firstTimestamp + values.length - 1, lastOffsetDelta: values.length - 1, records });
  return Buffer.from(encoded.buffer);
}

/** What kafkajs makes of `chunks` as the records field of a Fetch response partition. */
async function kafkajsDecode(chunks: Buffer[]): Promise<{ offset: number; timestamp: number; value: string }[]> {
  const body = Buffer.concat(chunks);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  const records = await decodeMessages(new Decoder(Buffer.concat([size, body])));
  return records.map((r) => ({ offset: Number(r.offset), timestamp: Number(r.timestamp), value: r.value!.toString() }));
}

describe.each([
  ['none', 0],
  ['gzip', 1],
])('kafkajs batches (%s) through the log', (_name, compression) => {
  it('come back with the offsets the log assigned, from memory and from disk', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, { segmentBytes: 600 });
    const expected: { offset: number; timestamp: number; value: string }[] = [];
    for (let b = 0; b < 12; b++) {
      const values = Array.from({ length: 1 + (b % 3) }, (_, i) => `m${b}.${i}-${'x'.repeat(40)}`);
      const ts = T0 + 100 * b;
      const r = log.append(await kafkajsBatch(values, compression, ts), T0);
      values.forEach((value, i) => expected.push({ offset: r.baseOffset + i, timestamp: ts + i, value }));
    }
    expect(log.segmentCount).toBeGreaterThan(1);
    const fromMemory: typeof expected = [];
    for (let offset = 0; offset < log.logEndOffset; ) {
      const r = await log.read(offset, 1 << 20);
      fromMemory.push(...(await kafkajsDecode(r.chunks)));
      offset = r.nextOffset;
    }
    expect(fromMemory).toEqual(expected);

    await log.close();
    const reopened = await openLog(dir, { segmentBytes: 600 }, { tailCacheBytes: 0 });
    const fromDisk: typeof expected = [];
    for (let offset = 0; offset < reopened.logEndOffset; ) {
      const r = await reopened.read(offset, 1 << 20);
      fromDisk.push(...(await kafkajsDecode(r.chunks)));
      offset = r.nextOffset;
    }
    expect(fromDisk).toEqual(expected);
    // A fetch from the middle of a batch returns the whole batch; kafkajs skips the earlier records itself.
    const mid = expected.find((e, i) => i > 0 && expected[i - 1]!.timestamp + 1 === e.timestamp)!;
    const partial = await kafkajsDecode((await reopened.read(mid.offset, 1)).chunks);
    expect(partial[0]!.offset).toBe(mid.offset - 1);
    expect(await reopened.offsetForTimestamp(mid.timestamp)).toMatchObject({ offset: mid.offset, timestamp: mid.timestamp });
  });
});
