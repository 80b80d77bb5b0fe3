// Fuzzing the Kafka listener: valid requests of every API and version the broker serves, drawn from the
// message specs or taken from real clients' captured frames, then mutated (bits, bytes, lengths, varints, truncation, extension, header API key and
// version, size prefixes), pipelined at a running broker. Property: every frame gets a well-formed
// response for the API and version its header names (same correlation id) or its connection is closed
// with a logged reason; the broker never stalls. Afterwards a fresh client still works, the records a
// real client (kafkajs) wrote before the run are there byte for byte, and memory has not run away.
//
// FUZZ_FRAMES (default 20,000) sets the frames sent, FUZZ_SEED replays a run; see README, "Tests".
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Kafka, logLevel, Partitioners, type Message } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Reader } from '../../protocol/bytes.js';
import {
  ApiKey,
  apiSpec,
  encodeRequestFrame,
  ErrorCode,
  isKnownApiKey,
  messageCodec,
  peekRequestHeader,
  readResponseHeader,
  responseHeaderVersion,
} from '../../protocol/kafka/index.js';
import { KafkaConnection } from '../../src/kafka/client/connection.js';
import { fetchPartition, recordsOf } from '../../src/kafka/client/consumer.js';
import { HANDLERS } from '../../src/kafka/handlers/index.js';
import { isInternalTopic } from '../../src/kafka/metadata/topic-name.js';
import { startTestBroker, type TestBroker } from '../helpers/kafka-broker.js';
import { briefly, FUZZ_FRAMES, FUZZ_SEED, FRAMES_PER_RUN, fuzzParameters, fuzzTimeoutMs, mib, RETAINED_GROWTH_LIMIT, RSS_GROWTH_LIMIT, retainedBytes } from './budget.js';
import { closeLog } from './close-log.js';
import { FUZZ_TOPICS, kafkaFrameArb, MAX_REQUESTED_WAIT_MS, mayGoUnanswered } from './kafka-frames.js';
import { badSizePrefixArb } from './mutations.js';
import { misframe, newTally, sendMisframed, sendPipelined, type Wire } from './pipeline.js';

/** Written by kafkajs before the fuzz run; must read back unchanged after it. */
const KEEP_TOPIC = 'fuzz-keep';
const KEEP_PARTITIONS = 2;
/**
 * Partitions that fuzzed CreateTopics, CreatePartitions and auto-creation may leave behind before the
 * run deletes their topics. Each partition holds three open files and the broker has no bound of its own
 * on their number, so an unchecked long run ends in EMFILE, which is a test of the file limit, not of the
 * protocol.
 */
const MAX_FUZZ_PARTITIONS = 150;

const TMPFS = '/dev/shm';
const closes = closeLog();
let broker: TestBroker;
let kafka: Kafka;
let keptBatches: Buffer[][];
const keptMessages: Message[][] = [];

beforeAll(async () => {
  broker = await startTestBroker(
    {
      // Groups settle fast, so joins and syncs are answered within the fuzzer's patience.
      'group.initial.rebalance.delay.ms': '0',
      'group.min.session.timeout.ms': '1',
      'group.max.session.timeout.ms': String(MAX_REQUESTED_WAIT_MS),
    },
    // On tmpfs where there is one: fsyncs cost nothing there, and the run is about the protocol.
    existsSync(TMPFS) ? mkdtempSync(join(TMPFS, 'skein-fuzz-')) : undefined,
    closes.log,
  );
  kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin = kafka.admin();
  await admin.connect();
  // Explicit topic settings, so fuzzed broker-level config changes cannot make retention remove them.
  const keep = { 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete' };
  await admin.createTopics({
    topics: [
      { topic: KEEP_TOPIC, numPartitions: KEEP_PARTITIONS, configEntries: Object.entries(keep).map(([name, value]) => ({ name, value })) },
      ...FUZZ_TOPICS.map((topic) => ({ topic, numPartitions: 3 })),
    ],
  });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let p = 0; p < KEEP_PARTITIONS; p++) {
    keptMessages[p] = Array.from({ length: 50 }, (_, i) => ({
      partition: p,
      key: Buffer.from(`key-${p}-${i}`),
      value: Buffer.from(Array.from({ length: 40 + i }, (_, j) => (i * 31 + j) & 0xff)),
      headers: { h: `header-${i}` },
    }));
    for (let i = 0; i < 50; i += 10) await producer.send({ topic: KEEP_TOPIC, acks: -1, messages: keptMessages[p]!.slice(i, i + 10) });
  }
  for (const topic of FUZZ_TOPICS) {
    await producer.send({ topic, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 3 })) });
  }
  await producer.disconnect();
  keptBatches = await readKept();
  for (let p = 0; p < KEEP_PARTITIONS; p++) expectKeptRecords(p, keptBatches[p]!);
});

/** Deletes the topics fuzzed requests created once they hold more than MAX_FUZZ_PARTITIONS partitions. */
async function pruneFuzzTopics(): Promise<void> {
  const made = broker.broker.topics.list().filter((t) => t.name !== KEEP_TOPIC && !isInternalTopic(t.name));
  if (made.reduce((n, t) => n + t.replicas.length, 0) <= MAX_FUZZ_PARTITIONS) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: made.map((t) => t.name) });
  } finally {
    await admin.disconnect();
  }
}

afterAll(async () => {
  await broker?.close();
});

/** Every stored batch of each KEEP_TOPIC partition, read with our client. */
async function readKept(): Promise<Buffer[][]> {
  const conn = await KafkaConnection.connect(broker.bootstrap);
  try {
    const out: Buffer[][] = [];
    for (let p = 0; p < KEEP_PARTITIONS; p++) {
      const batches: Buffer[] = [];
      let offset = 0;
      for (;;) {
        const fetched = await fetchPartition(conn, KEEP_TOPIC, p, offset);
        batches.push(...fetched.batches.map((b) => Buffer.from(b)));
        if (fetched.nextOffset >= fetched.highWatermark) break;
        offset = fetched.nextOffset;
      }
      out.push(batches);
    }
    return out;
  } finally {
    conn.close();
  }
}

function expectKeptRecords(partition: number, batches: Buffer[]): void {
  const records = recordsOf({ batches });
  const sent = keptMessages[partition]!;
  expect(records.length).toBe(sent.length);
  records.forEach((r, i) => {
    expect(r.key).toEqual(sent[i]!.key);
    expect(r.value).toEqual(sent[i]!.value);
    expect(r.headers).toEqual([{ key: 'h', value: Buffer.from(`header-${i}`) }]);
  });
}

const served = new Map(HANDLERS.map((h) => [h.apiKey as number, h]));
const probeTemplate = Buffer.concat(
  encodeRequestFrame({ apiKey: ApiKey.ApiVersions, apiVersion: 0, correlationId: 0, clientId: 'fuzz-probe' }, {}),
);

const kafkaWire: Wire = {
  probe(id) {
    const frame = Buffer.alloc(4 + probeTemplate.length);
    frame.writeInt32BE(probeTemplate.length, 0);
    probeTemplate.copy(frame, 4);
    frame.writeInt32BE(id, 8);
    return frame;
  },
  requestId: (frame) => (frame.length >= 8 ? frame.readInt32BE(4) : undefined),
  replyId: (reply) => (reply.length >= 4 ? reply.readInt32BE(0) : Number.NaN),
  checkReply(frame, reply) {
    const { apiKey, apiVersion } = peekRequestHeader(frame);
    const handler = served.get(apiKey);
    if (!handler || !isKnownApiKey(apiKey)) return `an answer to unserved API key ${apiKey}`;
    const supported = apiVersion >= handler.minVersion && apiVersion <= handler.maxVersion;
    // An ApiVersions request in a version the broker lacks is answered in v0, UNSUPPORTED_VERSION.
    const version = supported ? apiVersion : 0;
    if (!supported && apiKey !== ApiKey.ApiVersions) return `an answer to unsupported ${apiKey} v${apiVersion}`;
    try {
      const r = new Reader(reply);
      readResponseHeader(r, responseHeaderVersion(apiKey, version));
      const body = messageCodec(apiSpec(apiKey).response, version).decode(r) as { errorCode?: number };
      if (r.remaining !== 0) return `${r.remaining} bytes after the response`;
      if (!supported && body.errorCode !== ErrorCode.UNSUPPORTED_VERSION) return `error ${body.errorCode}, not UNSUPPORTED_VERSION`;
    } catch (err) {
      return `${apiKey} v${version} response does not decode: ${(err as Error).message}`;
    }
    return undefined;
  },
  mayGoUnanswered,
};

/**
 * Server faults (a handler or encoder throwing) that close a connection on purpose or are known. Any
 * other fault fails the run: a malformed request gets Kafka's error or a close for a decode error.
 */
const EXPECTED_FAULTS = [
  // Kafka closes the connection when an acks=0 produce fails or is refused (transactional records
  // without a permitted transactional id), having no other way to say so.
  /^acks=0 produce (failed|refused)\b/,
];

function unexpectedFaults(): string[] {
  return [...closes.faults.keys()].filter((fault) => !EXPECTED_FAULTS.some((known) => known.test(fault)));
}

/** One property run: a batch of mutated frames pipelined, and one frame sent with a broken size prefix. */
const runArb = fc.record({
  frames: fc.array(kafkaFrameArb(HANDLERS), { minLength: FRAMES_PER_RUN - 1, maxLength: FRAMES_PER_RUN - 1 }),
  misframed: fc.record({ frame: kafkaFrameArb(HANDLERS), prefix: badSizePrefixArb }),
}).map((run) => briefly(run, `${run.frames.length} frames and one misframed`));

test(`${FUZZ_FRAMES} mutated frames of every API and version (seed ${FUZZ_SEED})`, { timeout: fuzzTimeoutMs(FUZZ_FRAMES, 250) }, async () => {
  const tally = newTally();
  const rssBefore = process.memoryUsage().rss;
  const retainedBefore = retainedBytes();
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(runArb, async ({ frames, misframed }) => {
      const closesBefore = closes.closes;
      await sendPipelined(broker.bootstrap, frames.map((f) => f.frame), kafkaWire, tally);
      // Every close the fuzzer saw has its log line (a frame the server closed for says why).
      const unlogged = tally.closers.length - (closes.closes - closesBefore);
      expect(unlogged, `closed without a log line by one of ${tally.closers.map((f) => f.toString('hex')).join(' ')}`).toBeLessThanOrEqual(0);
      expect(unexpectedFaults()).toEqual([]);
      await sendMisframed(broker.bootstrap, misframe(misframed.frame.frame, misframed.prefix), kafkaWire, tally);
      await pruneFuzzTopics();
    }),
    fuzzParameters(FUZZ_FRAMES),
  );
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `kafka fuzz: ${tally.frames} frames in ${seconds.toFixed(1)} s (${Math.round(tally.frames / seconds)}/s), ` +
      `${tally.answered} answered, ${tally.closedByServer} closed by the broker; seed ${FUZZ_SEED}; close reasons: ` +
      JSON.stringify(Object.fromEntries(closes.reasons)) +
      `; handler faults: ${JSON.stringify(Object.fromEntries(closes.faults))}`,
  );
  expect(tally.frames).toBeGreaterThanOrEqual(FUZZ_FRAMES);

  // A fresh client: create a topic, see it in metadata, produce to it and fetch it back. (The fuzz
  // topics themselves may have been deleted or reconfigured by fuzzed admin requests, as is their right.)
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'fuzz-after', numPartitions: 1 }] });
  const metadata = await admin.fetchTopicMetadata({ topics: [KEEP_TOPIC, 'fuzz-after'] });
  const partitions = Object.fromEntries(metadata.topics.map((t) => [t.name, t.partitions.length]));
  expect(partitions).toEqual({ [KEEP_TOPIC]: KEEP_PARTITIONS, 'fuzz-after': 1 });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const [sent] = await producer.send({ topic: 'fuzz-after', acks: -1, messages: [{ value: 'after the fuzz' }] });
  await producer.disconnect();
  const conn = await KafkaConnection.connect(broker.bootstrap);
  const fetched = await fetchPartition(conn, 'fuzz-after', 0, Number(sent!.baseOffset));
  conn.close();
  expect(recordsOf(fetched).map((r) => r.value?.toString())).toEqual(['after the fuzz']);

  // The records written before the run, byte for byte.
  const after = await readKept();
  for (let p = 0; p < KEEP_PARTITIONS; p++) {
    expect(Buffer.concat(after[p]!).equals(Buffer.concat(keptBatches[p]!))).toBe(true);
    expectKeptRecords(p, after[p]!);
  }
  const growth = process.memoryUsage().rss - rssBefore;
  const retained = retainedBytes() - retainedBefore;
  console.log(`kafka fuzz: RSS grew by ${mib(growth)}, memory held after a full GC by ${mib(retained)}`);
  expect(growth).toBeLessThan(RSS_GROWTH_LIMIT);
  expect(retained).toBeLessThan(RETAINED_GROWTH_LIMIT);
});
