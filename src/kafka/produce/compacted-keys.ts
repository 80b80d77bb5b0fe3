// Kafka refuses keyless records on compacted topics: the cleaner could only drop them. This is the one
// produce check that reads every record, and so decompresses a compressed batch, exactly as Kafka's
// LogValidator does for these topics; other topics' batches are never opened.
import { DecodeError } from '../../../protocol/bytes.js';
import { batchRecords } from '../../../protocol/kafka/records/batch-records.js';
import type { BatchRejection, RecordError } from './timestamp-check.js';

export function checkKeysForCompaction(batch: Buffer, partitionName: string): BatchRejection | undefined {
  const recordErrors: RecordError[] = [];
  const message = `Compacted topic cannot accept message without key in topic partition ${partitionName}.`;
  try {
    let batchIndex = 0;
    for (const record of batchRecords(batch)) {
      if (record.key === null) recordErrors.push({ batchIndex, batchIndexErrorMessage: message });
      batchIndex++;
    }
  } catch (err) {
    if (err instanceof DecodeError) return { corrupt: true, message: err.message, recordErrors: [] };
    throw err;
  }
  return recordErrors.length > 0 ? { corrupt: false, message, recordErrors } : undefined;
}
