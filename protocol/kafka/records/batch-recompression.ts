// Rewriting a v2 batch in another codec, for topics whose compression.type names one. The records
// section is decompressed and compressed again as bytes, never parsed, so offset deltas, timestamps,
// keys, values and headers stay exactly as produced; the header keeps its offsets, timestamps and
// producer fields, and takes the new codec id, the new length and a new CRC.
import { compress, decompress, MAX_DECOMPRESSED_BYTES } from '../compression/codecs.js';
import { compressionId } from './batch-attributes.js';
import {
  ATTRIBUTES_AT,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH_AT,
  BATCH_LENGTH_OVERHEAD,
  COMPRESSION_MASK,
  type Compression,
  computeBatchCrc,
  CRC_AT,
} from './batch-header.js';

export interface RecompressOptions {
  /** The target codec's level (gzip, zstd); its default when absent. */
  level?: number;
  /** Largest decompressed records section accepted. */
  maxDecompressedBytes?: number;
}

/**
 * The single checked batch `batch` written with codec `codec`; `batch` itself when it already uses it.
 * A records section that does not decompress is a DecodeError.
 */
export function recompressBatch(batch: Buffer, codec: Compression, options: RecompressOptions = {}): Buffer {
  const attributes = batch.readInt16BE(ATTRIBUTES_AT);
  const from = compressionId(attributes);
  if (from === codec) return batch;
  const size = batch.readInt32BE(BATCH_LENGTH_AT) + BATCH_LENGTH_OVERHEAD;
  const records = decompress(from, batch.subarray(BATCH_HEADER_BYTES, size), options.maxDecompressedBytes ?? MAX_DECOMPRESSED_BYTES);
  const payload = compress(codec, records, options.level);
  const out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + payload.length);
  batch.copy(out, 0, 0, BATCH_HEADER_BYTES);
  out.writeInt32BE(out.length - BATCH_LENGTH_OVERHEAD, BATCH_LENGTH_AT);
  out.writeInt16BE((attributes & ~COMPRESSION_MASK) | codec, ATTRIBUTES_AT);
  payload.copy(out, BATCH_HEADER_BYTES);
  out.writeUInt32BE(computeBatchCrc(out, 0, out.length), CRC_AT);
  return out;
}
