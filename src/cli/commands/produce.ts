// `skein produce TOPIC`: one record per input line (stdin or --file), keyed with --key-delimiter, sent
// in batches to each partition's leader as Kafka's producers send them. Keyed records go where Kafka's
// default partitioner puts them; keyless ones fill one partition's batch and move to the next (the
// sticky partitioner). A progress line on a terminal shows records/s and MB/s.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { initCompression } from '../../../protocol/kafka/compression/codecs.js';
import { ApiKey } from '../../../protocol/kafka/index.js';
import { buildRecordBatch, type RecordInput } from '../../../protocol/kafka/records/batch-builder.js';
import { Compression } from '../../../protocol/kafka/records/batch-header.js';
import type { RecordHeader } from '../../../protocol/kafka/records/record.js';
import { isRetriable, type KafkaAdmin, type TopicInfo } from '../../kafka/client/admin.js';
import { partitionForKey } from '../../kafka/client/partitioner.js';
import { produceBatch, type ProduceResult } from '../../kafka/client/producer.js';
import { collectKeyValue, intIn } from '../args.js';
import { withExamples, withKafkaConnection, type KafkaConnectOptions } from '../client-options.js';
import { CommandFailure } from '../failure.js';
import { formatOption, renderJson, type OutputFormat } from '../output.js';
import { withAdmin } from './connect.js';
import { Progress } from './progress.js';

/**
 * A batch is sent once it holds this many records or bytes (Kafka's batch.size is 16 KiB; bigger batches
 * suit a bulk load). Half of the broker's default max.message.bytes (1 MiB), so the batch with its record
 * framing stays well under it even uncompressed.
 */
export const BATCH_RECORDS_MAX = 10_000;
export const BATCH_BYTES_MAX = 512 * 1024;
/** A record's framing in a batch at most: length, attributes, deltas and lengths as varints, header counts. */
const RECORD_OVERHEAD_BYTES = 24;
/** How long a record waits for more to join its batch before the batch goes anyway (Kafka's linger.ms). */
const LINGER_MS = 100;
/** Produce requests awaiting their answer at most; reading input pauses beyond it. */
export const IN_FLIGHT_MAX = 8;
/**
 * How long one batch is retried: a batch refused because its partition's leader moved (or whose broker
 * went away) is sent again to the new leader after a metadata refresh, as Kafka's producer retries (a dead
 * leader is replaced once its ZooKeeper session expires, 18 s by default). Without
 * idempotence a retry after a lost answer may store the batch twice: at least once, as its producer does.
 */
const SEND_RETRY_MS = 60_000;
const RETRY_BACKOFF_MS = 300;
/** Longest input line: a longer one is refused rather than buffered without end. */
export const LINE_BYTES_MAX = 16 * 1024 * 1024;

export const COMPRESSIONS = { none: Compression.None, gzip: Compression.Gzip, snappy: Compression.Snappy, lz4: Compression.Lz4, zstd: Compression.Zstd } as const;
export const ACKS = { all: -1, '-1': -1, '1': 1, '0': 0 } as const;

interface ProduceOptions extends KafkaConnectOptions {
  file?: string;
  keyDelimiter?: string;
  header: { name: string; value: string }[];
  partition?: number;
  compression: keyof typeof COMPRESSIONS;
  acks: keyof typeof ACKS;
  format: OutputFormat;
  progress: boolean;
}

/** A line as a record: split at the first key delimiter when there is one. */
export function lineRecord(line: string, keyDelimiter: string | undefined, headers: RecordHeader[]): RecordInput & { value: Buffer } {
  if (keyDelimiter !== undefined) {
    const at = line.indexOf(keyDelimiter);
    if (at >= 0) return { key: Buffer.from(line.slice(0, at)), value: Buffer.from(line.slice(at + keyDelimiter.length)), headers };
  }
  return { key: null, value: Buffer.from(line), headers };
}

/**
 * The lines of `input` (without their \n or \r\n), refusing one longer than `maxBytes` before buffering
 * more of it: readline would hold a line without end in memory.
 */
export async function* boundedLines(input: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<string> {
  let pending = Buffer.alloc(0);
  let number = 1;
  for await (const chunk of input) {
    let data = Buffer.concat([pending, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a)) {
      const end = nl > 0 && data[nl - 1] === 0x0d ? nl - 1 : nl;
      if (end > maxBytes) throw new CommandFailure(`line ${number} is longer than ${maxBytes} bytes`);
      yield data.toString('utf8', 0, end);
      number++;
      data = data.subarray(nl + 1);
    }
    if (data.length > maxBytes) throw new CommandFailure(`line ${number} is longer than ${maxBytes} bytes`);
    pending = data;
  }
  // The last line may end without a newline.
  if (pending.length > 0) yield pending.toString('utf8');
}

interface Pending {
  records: RecordInput[];
  bytes: number;
}

/** What was written to each partition: first and last offset (acks=0 learns none). */
type Written = Map<number, { first: number; last: number; records: number }>;

class BatchSender {
  private readonly pending = new Map<number, Pending>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Batches leave in the order they were closed, so each partition's records keep their order. */
  private queue: Promise<void> = Promise.resolve();
  private lingerTimer: NodeJS.Timeout | undefined;
  private failure: unknown;
  private sticky = 0;
  /** Bytes the headers (the same on every record) add to each record. */
  private readonly headerBytes: number;
  readonly written: Written = new Map();

  constructor(
    private readonly admin: KafkaAdmin,
    private topic: TopicInfo,
    private readonly options: ProduceOptions,
  ) {
    this.headerBytes = options.header.reduce((n, h) => n + RECORD_OVERHEAD_BYTES + Buffer.byteLength(h.name) + Buffer.byteLength(h.value), 0);
  }

  /** Adds a record to its partition's batch; resolves once there is room for more (a full batch is on its way). */
  async add(record: RecordInput & { value: Buffer }): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const partitions = this.topic.partitions.length;
    const partition = this.options.partition ?? (record.key ? partitionForKey(record.key, partitions) : this.sticky);
    let p = this.pending.get(partition);
    if (!p) this.pending.set(partition, (p = { records: [], bytes: 0 }));
    p.records.push(record);
    p.bytes += RECORD_OVERHEAD_BYTES + record.value.length + (record.key?.length ?? 0) + this.headerBytes;
    if (p.records.length >= BATCH_RECORDS_MAX || p.bytes >= BATCH_BYTES_MAX) {
      if (partition === this.sticky) this.sticky = (this.sticky + 1) % partitions;
      await this.close([partition]);
    } else {
      // Input that trickles in (`tail -f | skein produce`) is sent after a short wait, not when a batch fills.
      this.lingerTimer ??= setTimeout(() => {
        this.lingerTimer = undefined;
        void this.close([...this.pending.keys()]);
      }, LINGER_MS);
    }
  }

  async finish(): Promise<void> {
    this.stop();
    await this.close([...this.pending.keys()]);
    await Promise.all(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
    if (ACKS[this.options.acks] === 0) {
      // acks=0 gets no answer, and closing the socket could drop requests still in its buffer. A broker
      // answers a connection's requests in order, so once a later request is answered every batch before
      // it has arrived.
      const leaders = new Set(this.topic.partitions.filter((p) => this.written.has(p.partition)).map((p) => p.leader));
      await Promise.all([...leaders].map(async (leader) => this.admin.send(await this.admin.broker(leader), ApiKey.Metadata, { topics: [], allowAutoTopicCreation: false })));
    }
  }

  /** Cancels the linger wait (the command is ending). */
  stop(): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
  }

  /** Closes these partitions' batches now and queues them; resolves once they are sent or waiting for an answer. */
  private close(partitions: readonly number[]): Promise<void> {
    const batches: [number, Pending][] = [];
    for (const partition of partitions) {
      const p = this.pending.get(partition);
      this.pending.delete(partition);
      if (p && p.records.length > 0) batches.push([partition, p]);
    }
    this.queue = this.queue.then(async () => {
      for (const [partition, p] of batches) await this.launch(partition, p);
    });
    return this.queue;
  }

  /** Sends one batch once fewer than IN_FLIGHT_MAX are unanswered; its failure is kept for add() and finish(). */
  private async launch(partition: number, p: Pending): Promise<void> {
    while (this.inFlight.size >= IN_FLIGHT_MAX) await Promise.race(this.inFlight);
    if (this.failure !== undefined) return;
    const batch = buildRecordBatch(p.records, { baseTimestamp: Date.now(), compression: COMPRESSIONS[this.options.compression] });
    const count = p.records.length;
    const request = (async () => {
      const result = await this.sendBatch(partition, batch);
      const w = this.written.get(partition);
      const last = result.baseOffset < 0 ? -1 : result.baseOffset + count - 1;
      if (w) this.written.set(partition, { first: w.first, last, records: w.records + count });
      else this.written.set(partition, { first: result.baseOffset, last, records: count });
    })().catch((err: unknown) => {
      this.failure ??= err;
    });
    const tracked = request.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** Sends one batch to its partition's leader, following the leader through retriable failures. */
  private async sendBatch(partition: number, batch: Buffer): Promise<ProduceResult> {
    const deadline = Date.now() + SEND_RETRY_MS;
    for (;;) {
      try {
        return await produceBatch(await this.admin.leader(this.topic, partition), this.topic.name, partition, batch, { acks: ACKS[this.options.acks] });
      } catch (err) {
        if (Date.now() > deadline || !isRetriable(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, RETRY_BACKOFF_MS));
        this.topic = await this.admin.topic(this.topic.name);
      }
    }
  }
}

async function produce(admin: KafkaAdmin, topicName: string, o: ProduceOptions): Promise<void> {
  const topic = await admin.topic(topicName);
  if (o.partition !== undefined && !topic.partitions.some((p) => p.partition === o.partition)) {
    throw new CommandFailure(`${topicName} has no partition ${o.partition} (it has ${topic.partitions.length})`);
  }
  if (o.compression === 'zstd') await initCompression();
  const headers: RecordHeader[] = o.header.map((h) => ({ key: h.name, value: Buffer.from(h.value) }));
  const totalBytes = o.file === undefined ? undefined : (await stat(o.file)).size;
  const input = o.file === undefined ? process.stdin : createReadStream(o.file);
  const progress = o.progress && process.stderr.isTTY ? new Progress(process.stderr, totalBytes) : undefined;
  const sender = new BatchSender(admin, topic, o);
  const started = performance.now();
  let records = 0;
  let bytes = 0;
  try {
    for await (const line of boundedLines(input, LINE_BYTES_MAX)) {
      await sender.add(lineRecord(line, o.keyDelimiter, headers));
      records++;
      bytes += Buffer.byteLength(line) + 1;
      progress?.update(records, bytes);
    }
    await sender.finish();
  } finally {
    sender.stop();
    progress?.done();
    input.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  const partitions = [...sender.written].sort(([a], [b]) => a - b).map(([partition, w]) => ({ partition, records: w.records, firstOffset: w.first, lastOffset: w.last }));
  if (o.format === 'json') {
    process.stdout.write(renderJson({ topic: topicName, records, bytes, seconds, partitions }));
  } else {
    const rate = seconds > 0 ? ` (${Math.round(records / seconds)} records/s, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s)` : '';
    process.stderr.write(`produced ${records} records (${bytes} bytes) to ${topicName} in ${seconds.toFixed(2)} s${rate}\n`);
  }
}

export function registerProduceCommand(program: Command): void {
  withExamples(
    withKafkaConnection(
      program
        .command('produce')
        .description('write records to a topic, one per line of stdin or a file')
        .argument('<topic>')
        .option('-f, --file <file>', 'read lines from a file instead of stdin')
        .option('-k, --key-delimiter <text>', 'split each line at the first <text>: key before, value after')
        .option('-H, --header <key=value>', 'a header on every record (repeatable)', collectKeyValue, [])
        .addOption(new Option('-p, --partition <n>', 'write every record to this partition (default: by key, or spread)').argParser(intIn(0, 0x7fffffff)))
        .addOption(new Option('-z, --compression <codec>', 'compress batches').choices(Object.keys(COMPRESSIONS)).default('none'))
        .addOption(new Option('--acks <acks>', 'acknowledgements to wait for: all (the in-sync replicas), 1 (the leader) or 0 (none)').choices(Object.keys(ACKS)).default('all'))
        .option('--no-progress', 'no progress line on a terminal')
        .addOption(formatOption()),
    ),
    [
      ['echo hello | skein produce greetings', 'one record'],
      ['skein produce users -k : < users.txt', 'lines like "42:Ada": key 42, value Ada'],
      ['skein produce events -f events.jsonl -z zstd -H source=import', 'a big file, compressed, with a header'],
    ],
  ).action(async (topic: string, o: ProduceOptions) => {
    await withAdmin(o, (admin) => produce(admin, topic, o));
  });
}
