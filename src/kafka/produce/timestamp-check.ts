// Kafka's CreateTime bounds (message.timestamp.before.max.ms / after.max.ms) on a producer batch, checked
// without decompressing it.
//
// Kafka checks every record and rewrites the batch's maxTimestamp from them. Skein trusts the header
// instead: maxTimestamp bounds every record from above, which settles the after-bound (on by default:
// one hour) with no per-record work. A header no record could have produced (a max below the base
// timestamp: Sarama before 1.23 sends -1) is repaired from the records first, so that ListOffsets by
// time, the time index and time-based retention see the records' times, as they do in Kafka. The before-bound (off by default) needs each
// record's timestamp: uncompressed batches are walked record by record (only the length, attributes and
// timestamp of each are read); a compressed batch is judged by its baseTimestamp, the first record's.
import { DecodeError } from '../../../protocol/bytes.js';
import { compressionId } from '../../../protocol/kafka/records/batch-attributes.js';
import { BATCH_HEADER_BYTES, Compression, TIMESTAMP_TYPE_BIT, type BatchHeader, readBatchHeader } from '../../../protocol/kafka/records/batch-header.js';
import { implausibleMaxTimestamp, maxRecordTimestamp, NO_TIMESTAMP, recordTimestamps, setMaxTimestamp } from '../../../protocol/kafka/records/batch-timestamps.js';
import type { ProduceConfig } from './produce-config.js';


export interface RecordError {
  batchIndex: number;
  batchIndexErrorMessage: string;
}

/** Why a batch is refused: per-record errors, or `corrupt` when its records cannot be walked (CORRUPT_MESSAGE). */
export interface BatchRejection {
  corrupt: boolean;
  message: string;
  recordErrors: RecordError[];
}

const REJECTED = 'One or more records have been rejected due to invalid timestamp';

function everyRecord(count: number, message: string): BatchRejection {
  return { corrupt: false, message: REJECTED, recordErrors: Array.from({ length: count }, (_, batchIndex) => ({ batchIndex, batchIndexErrorMessage: message })) };
}

/**
 * The reason to refuse `batch` for its timestamps, or undefined if Kafka would accept them. `topicLogAppendTime`
 * is the topic's message.timestamp.type; `now` the broker clock.
 */
export function checkTimestamps(
  batch: Buffer,
  header: BatchHeader,
  topicLogAppendTime: boolean,
  cfg: ProduceConfig,
  now: number,
): BatchRejection | undefined {
  const batchLogAppendTime = (header.attributes & TIMESTAMP_TYPE_BIT) !== 0;
  const lower = now - cfg.timestampBeforeMaxMs;
  const upper = now + cfg.timestampAfterMaxMs;
  const range = `The timestamp should be within [${lower}, ${upper}]`;
  if (batchLogAppendTime) {
    // Every record of a LogAppendTime batch reads as its maxTimestamp; only a broker may stamp one.
    if (topicLogAppendTime || header.maxTimestamp === NO_TIMESTAMP) {
      return everyRecord(header.recordCount, 'Invalid timestamp type in message. Producer should not set timestamp type to LogAppendTime.');
    }
    if (header.maxTimestamp < lower || header.maxTimestamp > upper) {
      return everyRecord(header.recordCount, `Timestamp ${header.maxTimestamp} of message is out of range. ${range}`);
    }
    return undefined;
  }
  if (topicLogAppendTime) return undefined;
  // Producers stamp records with the clock, so a negative lower bound means the before-bound is off.
  const beforeBoundOn = lower > 0;
  if (!beforeBoundOn && header.maxTimestamp <= upper) return undefined;
  if (compressionId(header.attributes) !== Compression.None) {
    const tooNew = header.maxTimestamp > upper;
    const tooOld = beforeBoundOn && header.baseTimestamp !== NO_TIMESTAMP && header.baseTimestamp < lower;
    if (!tooNew && !tooOld) return undefined;
    const which = tooNew ? `max timestamp ${header.maxTimestamp}` : `base timestamp ${header.baseTimestamp}`;
    return { corrupt: false, message: `${REJECTED}: the compressed batch's ${which} is out of range. ${range}`, recordErrors: [] };
  }
  return walkRecords(batch, header, lower, upper, range);
}

function walkRecords(batch: Buffer, header: BatchHeader, lower: number, upper: number, range: string): BatchRejection | undefined {
  const recordErrors: RecordError[] = [];
  try {
    let i = 0;
    for (const timestamp of recordTimestamps(batch.subarray(BATCH_HEADER_BYTES, header.sizeBytes), header)) {
      if (timestamp !== NO_TIMESTAMP && (timestamp < lower || timestamp > upper)) {
        recordErrors.push({ batchIndex: i, batchIndexErrorMessage: `Timestamp ${timestamp} of message with offset ${i} is out of range. ${range}` });
      }
      i++;
    }
  } catch (err) {
    if (err instanceof DecodeError) return { corrupt: true, message: `record batch is corrupt: ${err.message}`, recordErrors: [] };
    throw err;
  }
  return recordErrors.length > 0 ? { corrupt: false, message: REJECTED, recordErrors } : undefined;
}

/**
 * The header of the producer batch `batch` once its max timestamp is one its records can have: a
 * CreateTime batch whose header max is implausible gets the records' largest timestamp written in (and a
 * new CRC), as Kafka's LogValidator writes it into every batch; other batches are left as they are.
 * A string says why the records could not be read (CORRUPT_MESSAGE).
 */
export function withRecordsMaxTimestamp(batch: Buffer, header: BatchHeader, topicLogAppendTime: boolean): BatchHeader | string {
  // Under LogAppendTime (the batch's or the topic's) the append stamps the broker's clock instead.
  if (topicLogAppendTime || (header.attributes & TIMESTAMP_TYPE_BIT) !== 0 || !implausibleMaxTimestamp(header)) return header;
  try {
    setMaxTimestamp(batch, 0, header, maxRecordTimestamp(batch, header));
  } catch (err) {
    if (err instanceof DecodeError) return `record batch is corrupt: ${err.message}`;
    throw err;
  }
  return readBatchHeader(batch);
}
