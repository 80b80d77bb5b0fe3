// Walking the record batches of a segment file: positional reads into windows, each batch returned
// whole as a view of its window, so callers can hand it on without copying. Every length read from disk
// is checked against the bytes that exist before it is trusted.
import type { FileHandle } from 'node:fs/promises';
import { DecodeError, readInt64 } from '../../protocol/bytes.js';
import {
  ATTRIBUTES_AT,
  BASE_OFFSET_AT,
  BASE_SEQUENCE_AT,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH_AT,
  BATCH_LENGTH_OVERHEAD,
  computeBatchCrc,
  CONTROL_BIT,
  LAST_OFFSET_DELTA_AT,
  MAX_TIMESTAMP_AT,
  PARTITION_LEADER_EPOCH_AT,
  PRODUCER_EPOCH_AT,
  PRODUCER_ID_AT,
  readBatchHeader,
  type BatchHeader,
} from '../../protocol/kafka/records/batch-header.js';
import { readEndTxnMarkerBatch, type EndTxnMarkerOfBatch } from '../../protocol/kafka/records/control-record.js';

/** Reads `length` bytes at `position`; shorter only if the file ends first. */
export async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buf, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buf : buf.subarray(0, filled);
}

export interface ScannedBatch {
  header: BatchHeader;
  /** Position of the batch in the segment file. */
  position: number;
  /** The whole batch, a view of the window it was read into. */
  bytes: Buffer;
  lastOffset: number;
}

export type ScanStep = { kind: 'batch'; batch: ScannedBatch } | { kind: 'end' } | { kind: 'invalid'; reason: string };

/**
 * Reads batches in windows of at least `windowBytes` from a file of which only the first `endPosition`
 * bytes are to be looked at. A batch never straddles two returned views.
 */
export class BatchScanner {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly file: FileHandle,
    readonly endPosition: number,
    private readonly windowBytes: number,
  ) {}

  /** The bytes [position, position + length), read into a new window if the current one lacks them. */
  private async view(position: number, length: number, windowBytes: number): Promise<Buffer | undefined> {
    const from = position - this.windowStart;
    if (from >= 0 && from + length <= this.window.length) return this.window.subarray(from, from + length);
    const want = Math.min(Math.max(length, windowBytes), this.endPosition - position);
    this.window = await readAt(this.file, position, want);
    this.windowStart = position;
    return this.window.length >= length ? this.window.subarray(0, length) : undefined;
  }

  /**
   * The batch at `position`, the end of the readable bytes, or why the bytes there are no batch. A new
   * window, when one is needed, reads `windowBytes` (or the whole batch if larger).
   */
  async at(position: number, windowBytes = this.windowBytes): Promise<ScanStep> {
    const remaining = this.endPosition - position;
    // At or past the end: an index entry may already name a batch still being written.
    if (remaining <= 0) return { kind: 'end' };
    if (remaining < BATCH_HEADER_BYTES) return { kind: 'invalid', reason: `${remaining} bytes left, less than a batch header` };
    const head = await this.view(position, BATCH_LENGTH_AT + 4, windowBytes);
    if (!head) return { kind: 'invalid', reason: 'file shorter than expected' };
    const sizeBytes = head.readInt32BE(BATCH_LENGTH_AT) + BATCH_LENGTH_OVERHEAD;
    if (sizeBytes < BATCH_HEADER_BYTES || sizeBytes > remaining) {
      return { kind: 'invalid', reason: `batch length ${sizeBytes} with ${remaining} bytes left` };
    }
    const bytes = await this.view(position, sizeBytes, windowBytes);
    if (!bytes) return { kind: 'invalid', reason: 'file shorter than expected' };
    let header: BatchHeader;
    try {
      header = readBatchHeader(bytes);
    } catch (err) {
      if (err instanceof DecodeError) return { kind: 'invalid', reason: err.message };
      throw err;
    }
    if (header.lastOffsetDelta < 0) return { kind: 'invalid', reason: `negative lastOffsetDelta ${header.lastOffsetDelta}` };
    return { kind: 'batch', batch: { header, position, bytes, lastOffset: header.baseOffset + header.lastOffsetDelta } };
  }
}

/**
 * What recovery checks of a stored batch: magic 2, its CRC, and a record count that fits its offset
 * range. A producer's batch fills the range exactly; one the cleaner rewrote keeps the range (its last
 * offset, as Kafka keeps it for producer sequences) with fewer records. Throws DecodeError.
 */
export function validateStoredBatch(bytes: Buffer, header: BatchHeader): void {
  if (header.magic !== 2) throw new DecodeError(`unsupported record batch magic ${header.magic}`);
  if (computeBatchCrc(bytes, 0, header.sizeBytes) !== header.crc) throw new DecodeError('record batch CRC mismatch');
  if (header.recordCount < 1 || header.recordCount > header.lastOffsetDelta + 1) {
    throw new DecodeError(`record batch count ${header.recordCount} does not fit lastOffsetDelta ${header.lastOffsetDelta}`);
  }
}

/** What recovery reports of each batch: enough to follow leader epochs. */
export interface BatchPosition {
  baseOffset: number;
  partitionLeaderEpoch: number;
}

/** What walkBatchHeaders reports of each batch: leader epochs and the fields producer state replays. */
export interface WalkedBatch extends BatchPosition {
  /** A control batch's end-transaction marker, when it carries one that decodes. */
  endTxn?: EndTxnMarkerOfBatch;
  attributes: number;
  lastOffsetDelta: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

/**
 * Calls `onBatch` for every batch in the first `endPosition` bytes of a segment recovery already
 * trusts, reading only the fixed fields at each batch's start (windows of `windowBytes`; a batch larger
 * than that costs one small read), never the records. Stops at the first length that does not fit.
 */
export async function walkBatchHeaders(file: FileHandle, endPosition: number, windowBytes: number, onBatch: (batch: WalkedBatch) => void): Promise<void> {
  let window: Buffer = Buffer.alloc(0);
  let windowStart = 0;
  let position = 0;
  while (endPosition - position >= BATCH_HEADER_BYTES) {
    if (position + BATCH_HEADER_BYTES > windowStart + window.length) {
      window = await readAt(file, position, Math.min(Math.max(windowBytes, BATCH_HEADER_BYTES), endPosition - position));
      windowStart = position;
      if (window.length < BATCH_HEADER_BYTES) return;
    }
    const at = position - windowStart;
    const sizeBytes = window.readInt32BE(at + BATCH_LENGTH_AT) + BATCH_LENGTH_OVERHEAD;
    if (sizeBytes < BATCH_HEADER_BYTES || sizeBytes > endPosition - position) return;
    const attributes = window.readInt16BE(at + ATTRIBUTES_AT);
    // Producer state needs a marker's type and coordinator epoch: a control batch is read whole (it is tiny).
    const endTxn = (attributes & CONTROL_BIT) !== 0 ? readEndTxnMarkerBatch(await readAt(file, position, sizeBytes)) : undefined;
    onBatch({
      ...(endTxn && { endTxn }),
      baseOffset: readInt64(window, at + BASE_OFFSET_AT),
      partitionLeaderEpoch: window.readInt32BE(at + PARTITION_LEADER_EPOCH_AT),
      attributes,
      lastOffsetDelta: window.readInt32BE(at + LAST_OFFSET_DELTA_AT),
      maxTimestamp: readInt64(window, at + MAX_TIMESTAMP_AT),
      producerId: readInt64(window, at + PRODUCER_ID_AT),
      producerEpoch: window.readInt16BE(at + PRODUCER_EPOCH_AT),
      baseSequence: window.readInt32BE(at + BASE_SEQUENCE_AT),
    });
    position += sizeBytes;
  }
}
