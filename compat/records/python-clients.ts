// Real Python clients decoding what our records code writes: the helper scripts beside this file, run with
// Debian's python3 and its kafka-python, confluent-kafka and codec packages, JSON in on stdin and out on stdout.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type DescribedRecord, FIXTURES } from '../../test/fixtures/records/manifest.js';
import { PYTHON } from '../helpers/commands.js';

const HELPER_TIMEOUT_MS = 120_000;
const HELPER_OUTPUT_MAX_BYTES = 64 * 1024 * 1024;

/** A record as a client handed it to its application: an absolute offset instead of the delta. */
export type ClientRecord = Omit<DescribedRecord, 'offsetDelta'> & { offset: number };

export interface KafkaPythonBatch {
  crcValid: boolean;
  compression: number;
  timestampType: number;
  baseOffset: number;
  maxTimestamp: number;
  transactional: boolean;
  control: boolean;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  records: ClientRecord[];
}

function runHelper(script: string, input: unknown): unknown {
  const out = execFileSync(PYTHON, [fileURLToPath(new URL(script, import.meta.url))], {
    input: JSON.stringify(input),
    // fixture_records.py and produce_proxy.py are shared with the capture scripts in the fixtures folder.
    env: { ...process.env, PYTHONPATH: fileURLToPath(FIXTURES) },
    // Piped, not inherited: librdkafka logs freely there, and a failure's error message carries it.
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: HELPER_OUTPUT_MAX_BYTES,
    timeout: HELPER_TIMEOUT_MS,
  });
  return JSON.parse(out.toString('utf8'));
}

/** kafka-python's DefaultRecordBatch over whole batches: whether the CRC holds, header fields, records. */
export function decodeWithKafkaPython(batches: Buffer[]): KafkaPythonBatch[] {
  return runHelper('decode_kafka_python.py', batches.map((b) => b.toString('hex'))) as KafkaPythonBatch[];
}

/** kafka-python's own decoders (kafka.codec) over [codec, payload] pairs; the SHA-256 of each output. */
export function decompressWithKafkaPython(pairs: Array<[number, Buffer]>): string[] {
  return runHelper('decompress_kafka_python.py', pairs.map(([codec, b]) => [codec, b.toString('hex')])) as string[];
}

/** librdkafka fetching each batch from its in-process mock broker, CRC checks on; the records of each. */
export function consumeWithLibrdkafka(batches: Buffer[]): ClientRecord[][] {
  return runHelper('consume_librdkafka.py', batches.map((b) => b.toString('hex'))) as ClientRecord[][];
}
