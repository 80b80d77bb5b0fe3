// Kafka's CreateTime bounds on produced batches, checked from headers and (uncompressed) record timestamps,
// and the repair of a header max timestamp no record could have.
import { describe, expect, test } from 'vitest';
import { buildRecordBatch, type RecordInput } from '../../../protocol/kafka/records/batch-builder.js';
import { type BatchHeader, Compression, readBatchHeader, validateBatch } from '../../../protocol/kafka/records/batch-header.js';
import { decodeBatch } from '../../../protocol/kafka/records/batch-records.js';
import type { ProduceConfig } from '../../../src/kafka/produce/produce-config.js';
import { checkTimestamps, withRecordsMaxTimestamp } from '../../../src/kafka/produce/timestamp-check.js';

const NOW = 1_700_000_000_000;
const LONG_MAX = 9223372036854775807;
const HOUR = 3_600_000;
const defaults: ProduceConfig = { timestampBeforeMaxMs: LONG_MAX, timestampAfterMaxMs: HOUR, minInsyncReplicas: 1 };
const tight: ProduceConfig = { timestampBeforeMaxMs: 60_000, timestampAfterMaxMs: 60_000, minInsyncReplicas: 1 };

function check(records: RecordInput[], cfg: ProduceConfig, options: Parameters<typeof buildRecordBatch>[1] = {}, topicLogAppendTime = false) {
  const batch = buildRecordBatch(records, { baseTimestamp: records[0]?.timestamp ?? NOW, ...options });
  return checkTimestamps(batch, readBatchHeader(batch), topicLogAppendTime, cfg, NOW);
}

describe('CreateTime topics', () => {
  test('Kafka defaults: anything up to an hour ahead, however old', () => {
    expect(check([{ timestamp: 0 }, { timestamp: NOW + HOUR }], defaults)).toBeUndefined();
    expect(check([{ timestamp: NOW }, { timestamp: NOW + HOUR + 1 }], defaults)?.recordErrors.map((e) => e.batchIndex)).toEqual([1]);
  });

  test('the before-bound names every record below it, whatever its place in the batch', () => {
    const rejected = check([{ timestamp: NOW }, { timestamp: NOW - 60_001 }, { timestamp: NOW - 60_000 }, { timestamp: NOW - 90_000 }], tight);
    expect(rejected).toMatchObject({ corrupt: false, message: 'One or more records have been rejected due to invalid timestamp' });
    expect(rejected!.recordErrors.map((e) => e.batchIndex)).toEqual([1, 3]);
    expect(rejected!.recordErrors[0]!.batchIndexErrorMessage).toMatch(/Timestamp 1699999939999 .* within \[1699999940000, 1700000060000\]/);
  });

  test('records without a timestamp (-1) are exempt', () => {
    expect(check([{ timestamp: -1 }, { timestamp: -1 }], tight, { baseTimestamp: -1 })).toBeUndefined();
  });

  test('compressed batches are judged by their header: max timestamp, and the first record for the before-bound', () => {
    const gzip = { compression: Compression.Gzip };
    expect(check([{ timestamp: NOW + 61_000 }], tight, gzip)).toMatchObject({ corrupt: false, recordErrors: [] });
    expect(check([{ timestamp: NOW - 61_000 }, { timestamp: NOW }], tight, gzip)?.message).toMatch(/base timestamp/);
    expect(check([{ timestamp: NOW }, { timestamp: NOW - 10_000 }], tight, gzip)).toBeUndefined();
  });

  test('a batch whose records cannot be walked is corrupt', () => {
    const batch = buildRecordBatch([{ timestamp: NOW, value: Buffer.from('x') }], { baseTimestamp: NOW, maxTimestamp: NOW + 2 * HOUR });
    batch[61] = 0x7f; // record length far past the batch end
    expect(checkTimestamps(batch, readBatchHeader(batch), false, tight, NOW)).toMatchObject({ corrupt: true });
  });

  test('a LogAppendTime batch from a producer counts every record at its max timestamp', () => {
    expect(check([{ timestamp: NOW }, { timestamp: NOW }], tight, { timestampType: 1 })).toBeUndefined();
    expect(check([{ timestamp: NOW - HOUR }, { timestamp: NOW - HOUR }], tight, { timestampType: 1 })?.recordErrors).toHaveLength(2);
    expect(check([{ timestamp: -1 }], tight, { timestampType: 1, baseTimestamp: -1 })?.recordErrors[0]!.batchIndexErrorMessage).toMatch(/LogAppendTime/);
  });
});

describe('LogAppendTime topics', () => {
  test('producer timestamps do not matter: the broker replaces them', () => {
    expect(check([{ timestamp: 0 }, { timestamp: NOW + 10 * HOUR }], tight, {}, true)).toBeUndefined();
  });

  test('but a batch claiming LogAppendTime is refused, record by record', () => {
    expect(check([{ timestamp: NOW }, { timestamp: NOW }], tight, { timestampType: 1 }, true)?.recordErrors.map((e) => e.batchIndex)).toEqual([0, 1]);
  });
});

describe('withRecordsMaxTimestamp: a header max timestamp no record could have is repaired', () => {
  const records = [{ timestamp: NOW, value: Buffer.from('a') }, { timestamp: NOW + 5_000, value: Buffer.from('b') }, { timestamp: NOW + 2_000, value: Buffer.from('c') }];

  test.each([
    ['uncompressed', Compression.None],
    ['gzip', Compression.Gzip],
    ['lz4', Compression.Lz4],
  ])('%s: a max timestamp of -1 (as Sarama 1.22 sends) becomes the records\' largest, with a valid CRC, records as sent', (_, compression) => {
    const batch = buildRecordBatch(records, { baseTimestamp: NOW, maxTimestamp: -1, compression });
    const before = decodeBatch(batch).records;
    const header = withRecordsMaxTimestamp(batch, readBatchHeader(batch), false);
    expect(header).toMatchObject({ maxTimestamp: NOW + 5_000 });
    expect(readBatchHeader(batch).maxTimestamp).toBe(NOW + 5_000);
    expect(() => validateBatch(batch, readBatchHeader(batch))).not.toThrow();
    expect(decodeBatch(batch).records).toEqual(before);
  });

  test('the repaired header lets the after-bound see a record the -1 hid', () => {
    const batch = buildRecordBatch([{ timestamp: NOW }, { timestamp: NOW + 2 * HOUR }], { baseTimestamp: NOW, maxTimestamp: -1, compression: Compression.Gzip });
    expect(checkTimestamps(batch, readBatchHeader(batch), false, defaults, NOW)).toBeUndefined();
    const header = withRecordsMaxTimestamp(batch, readBatchHeader(batch), false);
    expect(checkTimestamps(batch, header as BatchHeader, false, defaults, NOW)).toMatchObject({ corrupt: false, recordErrors: [] });
  });

  test('plausible headers, LogAppendTime batches and LogAppendTime topics are left as sent', () => {
    const plausible = buildRecordBatch(records, { baseTimestamp: NOW, compression: Compression.Gzip });
    const copy = Buffer.from(plausible);
    const header = readBatchHeader(plausible);
    expect(withRecordsMaxTimestamp(plausible, header, false)).toBe(header);
    const unset = buildRecordBatch(records, { baseTimestamp: NOW, maxTimestamp: -1 });
    expect(withRecordsMaxTimestamp(unset, readBatchHeader(unset), true)).toMatchObject({ maxTimestamp: -1 });
    const appendTime = buildRecordBatch(records, { baseTimestamp: NOW, maxTimestamp: -1, timestampType: 1 });
    expect(withRecordsMaxTimestamp(appendTime, readBatchHeader(appendTime), false)).toMatchObject({ maxTimestamp: -1 });
    expect(plausible).toEqual(copy);
  });

  test('records without timestamps keep -1; records that do not decompress are corrupt', () => {
    const untimed = buildRecordBatch([{ timestamp: -1 }], { baseTimestamp: -1 });
    expect(withRecordsMaxTimestamp(untimed, readBatchHeader(untimed), false)).toMatchObject({ maxTimestamp: -1 });
    const broken = buildRecordBatch(records, { baseTimestamp: NOW, maxTimestamp: -1, compression: Compression.Gzip });
    broken.fill(0, 61 + 10);
    expect(withRecordsMaxTimestamp(broken, readBatchHeader(broken), false)).toMatch(/record batch is corrupt/);
  });
});
