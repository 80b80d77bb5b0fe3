import { batchRecords } from '../../protocol/kafka/records/batch-records.js';
import type { RecordLocator } from '../log/partition-log.js';

/**
 * ListOffsets by timestamp needs the exact record inside a batch, which may be compressed: the only
 * place the broker decodes records, and only for the one batch the time index points at.
 */
export const locateRecordByTimestamp: RecordLocator = (batch, timestamp, minOffset) => {
  for (const record of batchRecords(batch)) {
    if (record.offset >= minOffset && record.timestamp >= timestamp) return { offset: record.offset, timestamp: record.timestamp };
  }
  return undefined;
};
