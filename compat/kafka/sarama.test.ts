// Sarama 1.22.1 (Debian's golang-github-shopify-sarama-dev, built offline with Debian's Go against Debian's
// sources) against a `skein kafka` process, driven by compat/kafka/sarama/ (one Go program, a scenario per
// run). Sarama negotiates no API versions: config.Version fixes them. Most runs use V2_2_0_0, the newest
// this Sarama knows; one uses V0_11_0_0, the oldest at which it writes v2 record batches, and one its
// default, V0_8_2_0, whose v0 messages Skein refuses as Kafka 4 does.
//  - a SyncProducer (acks=all) with each codec, and an idempotent one, read back by the plain Consumer
//    byte for byte (keys, values, headers, timestamps) at the offsets the producer was told;
//  - a ConsumerGroup of three members (range and roundrobin): every record read once, a member leaving
//    rebalances its partitions onto the others, and a new member resumes from the committed offsets;
//  - ClusterAdmin: topics, partitions, configs, records, groups and their offsets;
//  - a read_committed Consumer over transactions librdkafka committed and aborted.
// Sarama 1.22 has no transactional producer (TransactionalID came in 1.37), so transactions are written
// by confluent-kafka-python.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ErrorCode } from '../../protocol/kafka/index.js';
import { run, runPythonJson } from '../helpers/commands.js';
import { createTopic, storedAs } from '../helpers/kafka-admin.js';
import { CODECS, CONFLUENT_WRITES, type Delivery, expectedReads, makeRecords, type TestRecord, toWire, toWireRead, type WireReadRecord } from '../helpers/records.js';
import { kafkaForTests } from '../helpers/skein-process.js';

const NEWEST = '2.2.0';
const OLDEST_WITH_BATCHES = '0.11.0.0';
const DEFAULT_VERSION = '0.8.2.0';
const PARTITIONS = 3;
/** zstd is refused: see the test of refusals. */
const ROUND_TRIP_CODECS = CODECS.filter((c) => c !== 'zstd');
const RECORDS = 200;
const SOURCE = fileURLToPath(new URL('sarama/', import.meta.url));
const TXN_DRIVER = new URL('confluent_read_committed.py', import.meta.url);

const kafka = kafkaForTests({ 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '1', 'transaction.state.log.num.partitions': '1' });

let work = '';
let driver = '';

// GOPATH mode finds Sarama and its dependencies where Debian's -dev packages put them; no module proxy,
// no network. A fresh build cache per run, so the build is the one CI does.
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'skein-sarama-'));
  driver = join(work, 'sarama-driver');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GO111MODULE: 'off',
    GOPATH: '/usr/share/gocode',
    GOCACHE: join(work, 'go-cache'),
    GOFLAGS: '',
    GOPROXY: 'off',
  };
  // Go's default CGO_CFLAGS, so the standard library's prebuilt cgo packages (net, crypto/x509) are used
  // rather than rebuilt (about half the build); DataDog/zstd's deprecation warning is harmless.
  delete env.CGO_CFLAGS;
  const started = Date.now();
  // GOPATH mode takes a package directory only as a relative path (./...), not an absolute one.
  const r = await run('go', ['build', '-o', driver, `./${relative(process.cwd(), SOURCE)}`], '', 110_000, env);
  expect(r.code, r.stderr).toBe(0);
  console.log(`sarama driver built in ${Date.now() - started} ms`);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function sarama<T>(input: Record<string, unknown>): Promise<T> {
  const r = await run(driver, [], JSON.stringify({ bootstrap: kafka().bootstrap, ...input }), 110_000);
  if (r.code !== 0) throw new Error(`sarama ${String(input.scenario)} exited with ${r.code}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface ProduceRun {
  topic: string;
  partitions: number;
  codec: string;
  idempotent: boolean;
  records: TestRecord[];
}

interface RunResult {
  deliveries: Array<Delivery & { timestamp: number }>;
  reads: WireReadRecord[];
  times: number[];
}

/** Creates each run's topic, has Sarama produce and read back every run, and checks each round trip. */
async function roundTrips(version: string, runs: ProduceRun[]): Promise<void> {
  for (const r of runs) await createTopic(kafka().bootstrap, r.topic, r.partitions);
  // Records' timestamps rise with their offsets, so each query by time has one answer: the offset of the
  // first record at or after it, or -1 past the last. Sarama leaves its batches' max timestamp at -1;
  // the broker must take the records' own, as Kafka does, for these to be found.
  const queries = (r: ProduceRun) => {
    const inPartition = (p: number) => r.records.filter((x) => x.partition === p);
    const middle = inPartition(0)[Math.floor(inPartition(0).length / 2)]!;
    const last = inPartition(1).at(-1)!;
    return [
      [0, middle.timestamp - 1],
      [1, last.timestamp],
      [1, last.timestamp + 1],
    ];
  };
  const results = await sarama<RunResult[]>({ scenario: 'records', version, runs: runs.map((r) => ({ ...r, records: r.records.map(toWire), times: queries(r) })) });
  expect(results).toHaveLength(runs.length);
  for (const [i, r] of runs.entries()) {
    const { deliveries, reads, times } = results[i]!;
    expect(deliveries.map((d) => d.timestamp)).toEqual(r.records.map((x) => x.timestamp));
    const expected = expectedReads(r.records, deliveries);
    expect(reads, `${r.topic}: read back`).toEqual(expected.map(toWireRead));
    const offsetAt = (p: number, ts: number) => expected.find((x) => x.partition === p && x.timestamp >= ts)?.offset ?? -1;
    expect(times, `${r.topic}: offsets for times`).toEqual(queries(r).map(([p, ts]) => offsetAt(p!, ts!)));
    // Stored as produced: in batches of the codec the client used.
    expect(await storedAs(kafka().bootstrap, r.topic, r.partitions, CODECS.indexOf(r.codec as (typeof CODECS)[number]))).toBe(true);
  }
}

const recordsFor = (seed: number) => makeRecords(seed, { count: RECORDS, partitions: PARTITIONS, baseTimestamp: Date.now() - 3_600_000, ...CONFLUENT_WRITES });

test(`SyncProducer acks=all with each codec but zstd, and an idempotent one (Version ${NEWEST}): the Consumer reads back every record once, in order, byte for byte, and finds them by time`, async () => {
  await roundTrips(NEWEST, [
    ...ROUND_TRIP_CODECS.map((codec, i) => ({ topic: `sarama-${codec}`, partitions: PARTITIONS, codec, idempotent: false, records: recordsFor(500 + i) })),
    { topic: 'sarama-idempotent', partitions: PARTITIONS, codec: 'lz4', idempotent: true, records: recordsFor(510) },
  ]);
});

test(`Version ${OLDEST_WITH_BATCHES} round-trips too; refused as Kafka refuses them: zstd in Produce v3 (zstd batches of others are read), and v0 messages (Sarama's default ${DEFAULT_VERSION})`, async () => {
  await roundTrips(OLDEST_WITH_BATCHES, [{ topic: 'sarama-0-11', partitions: PARTITIONS, codec: 'gzip', idempotent: false, records: recordsFor(520) }]);

  const refusal = async (topic: string, version: string, codec: string) => {
    await createTopic(kafka().bootstrap, topic, 1);
    const records = [{ partition: 0, key: null, value: '00', headers: [], timestamp: Date.now() }];
    const r = await run(driver, [], JSON.stringify({ scenario: 'records', bootstrap: kafka().bootstrap, version, runs: [{ topic, partitions: 1, codec, records }] }));
    expect(r.code, r.stdout).toBe(1);
    return r.stderr;
  };
  // Sarama 1.22 sends zstd in Produce v3 (Sarama issue #1252); Kafka since 2.1 takes zstd from v7 only
  // and answers UNSUPPORTED_COMPRESSION_TYPE. Its Fetch v4 still reads zstd batches another client wrote
  // to a topic that stores batches as produced (only a zstd topic refuses fetches before v10).
  expect(await refusal('sarama-zstd', NEWEST, 'zstd')).toContain('does not support the compression type');
  // Long enough that librdkafka finds compressing worth it.
  const zstdValues = [0, 1, 2].map((i) => `${i}`.repeat(300));
  const written = await run('kcat', ['-b', kafka().bootstrap, '-P', '-t', 'sarama-zstd', '-p', '0', '-z', 'zstd'], zstdValues.join('\n') + '\n');
  expect(written.code, written.stderr).toBe(0);
  expect(await storedAs(kafka().bootstrap, 'sarama-zstd', 1, CODECS.indexOf('zstd'))).toBe(true);
  expect(text((await readBack('sarama-zstd')).uncommitted)).toEqual(zstdValues);
  // UNSUPPORTED_FOR_MESSAGE_FORMAT: Skein stores v2 batches only; Kafka 4 dropped Produce v0-2 altogether.
  expect(await refusal('sarama-0-8', DEFAULT_VERSION, 'none')).toContain('not supported by the message format version');
});

/** Partition 0 of `topic` as Sarama's Consumer reads it at each isolation level. */
async function readBack(topic: string): Promise<Record<'committed' | 'uncommitted', WireReadRecord[]>> {
  const [read] = await sarama<Array<Record<'committed' | 'uncommitted', WireReadRecord[]>>>({ scenario: 'read', version: NEWEST, runs: [{ topic, partitions: 1 }] });
  return read!;
}

const text = (rs: WireReadRecord[]) => rs.map((r) => Buffer.from(r.value!, 'hex').toString());

interface Consumed {
  member: number;
  partition: number;
  offset: number;
  value: string;
}

interface GroupResult {
  phases: Array<{ assignment: Record<string, number[]>; consumed: Consumed[] }>;
  described: { state: string; protocolType: string; protocol: string; clientIds: string[]; assigned: number[] };
  listed: Record<string, string>;
  committed: Record<string, number>;
  endOffsets: Record<string, number>;
}

const GROUP_PARTITIONS = 6;
const PHASES = [60, 40, 30];
const ALL = Array.from({ length: GROUP_PARTITIONS }, (_, p) => p);

/** Who owns which partitions, as Sarama's strategies plan it over members sorted by member id. */
function expectStrategy(strategy: string, assignment: Record<string, number[]>): void {
  const owned = Object.values(assignment).sort((a, b) => a[0]! - b[0]!);
  const n = owned.length;
  const expected =
    strategy === 'range'
      ? Array.from({ length: n }, (_, i) => ALL.slice((i * GROUP_PARTITIONS) / n, ((i + 1) * GROUP_PARTITIONS) / n))
      : Array.from({ length: n }, (_, i) => ALL.filter((p) => p % n === i));
  expect(owned).toEqual(expected);
}

test.each(['range', 'roundrobin'])(`ConsumerGroup (%s, Version ${NEWEST}): three members read every record once, a member leaving rebalances, a new member resumes from the committed offsets`, async (strategy) => {
  const topic = `sarama-group-${strategy}`;
  const group = `sarama-${strategy}`;
  await createTopic(kafka().bootstrap, topic, GROUP_PARTITIONS);
  const result = await sarama<GroupResult>({ scenario: 'group', version: NEWEST, topic, partitions: GROUP_PARTITIONS, group, strategy, phases: PHASES });

  const members = [
    ['0', '1', '2'],
    ['0', '1'],
    ['3'],
  ];
  for (const [i, phase] of result.phases.entries()) {
    expect(Object.keys(phase.assignment).sort()).toEqual(members[i]);
    expectStrategy(strategy, phase.assignment);
    // Every record of the phase once, each read by the member that owns its partition, in offset order.
    const values = phase.consumed.map((c) => c.value).sort();
    expect(values).toEqual(Array.from({ length: PHASES[i]! }, (_, n) => `${i + 1}-${n}`).sort());
    for (const c of phase.consumed) expect(phase.assignment[String(c.member)]).toContain(c.partition);
    for (const p of ALL) {
      const offsets = phase.consumed.filter((c) => c.partition === p).map((c) => c.offset);
      const before = PHASES.slice(0, i).reduce((sum, count) => sum + Math.floor(count / GROUP_PARTITIONS) + (p < count % GROUP_PARTITIONS ? 1 : 0), 0);
      expect(offsets, `phase ${i + 1}, partition ${p}`).toEqual(Array.from({ length: offsets.length }, (_, k) => before + k));
    }
  }

  expect(result.described).toEqual({ state: 'Stable', protocolType: 'consumer', protocol: strategy, clientIds: ['sarama-member-3'], assigned: ALL });
  expect(result.listed[group]).toBe('consumer');
  // Every record read is committed: the group's offsets are the partitions' ends.
  expect(result.committed).toEqual(result.endOffsets);
});

test(`ClusterAdmin (Version ${NEWEST}): topics created, refused, described, grown, configured, listed, records deleted, topics deleted`, async () => {
  const report = await sarama<Record<string, unknown>>({ scenario: 'admin', version: NEWEST, prefix: 'sarama-admin-' });
  const partitions = (n: number) => Array.from({ length: n }, (_, id) => ({ id, err: 0, leader: 0, replicas: [0], isr: [0] }));
  // DescribeConfigs v0 (the version Sarama 1.22 sends) has no config source, only a default flag.
  const config = (value: string, isDefault: boolean) => ({ value, default: isDefault, source: 'Unknown' });
  expect(report).toEqual({
    // Sarama's DescribeCluster sends Metadata v0, which carries no controller id.
    cluster: { brokers: [0], controller: -1 },
    create: ErrorCode.NONE,
    createExisting: ErrorCode.TOPIC_ALREADY_EXISTS,
    createInvalidName: ErrorCode.INVALID_TOPIC_EXCEPTION,
    createNoPartitions: ErrorCode.INVALID_PARTITIONS,
    validateOnly: ErrorCode.NONE,
    afterCreate: { err: 0, internal: false, partitions: partitions(2) },
    notCreated: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    createPartitions: ErrorCode.NONE,
    createPartitionsFewer: ErrorCode.INVALID_PARTITIONS,
    afterPartitions: { err: 0, internal: false, partitions: partitions(4) },
    configs: { 'retention.ms': config('7200000', false), 'cleanup.policy': config('delete', true) },
    alterConfig: ErrorCode.NONE,
    alterConfigValidateOnly: ErrorCode.NONE,
    afterAlter: { 'retention.ms': config('604800000', true), 'cleanup.policy': config('compact,delete', false) },
    listed: { partitions: 4, replicationFactor: 1, 'cleanup.policy': 'compact,delete' },
    deleteRecords: { error: ErrorCode.NONE, logStartOffset: 3 },
    delete: ErrorCode.NONE,
    deleteMissing: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    afterDelete: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  });
});

test(`read_committed Consumer (Version ${NEWEST}): transactions librdkafka committed are read, aborted ones skipped`, async () => {
  const topic = 'sarama-txn';
  await createTopic(kafka().bootstrap, topic, 1);
  const values = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  const transactions = [
    [true, values('c', 5)],
    [false, values('x', 5)],
    [true, values('d', 5)],
  ];
  expect(await runPythonJson(TXN_DRIVER, { mode: 'produce', bootstrap: kafka().bootstrap, topic, txid: 'sarama-txn', transactions })).toEqual({ ok: true });
  // The last offset is a plain record: Sarama's ListOffsets (v1) gives the high watermark, which a
  // read_committed reader reaches only if a record outside any transaction ends the partition.
  const last = await run('kcat', ['-b', kafka().bootstrap, '-P', '-t', topic, '-p', '0'], 'plain\n');
  expect(last.code, last.stderr).toBe(0);
  const read = await readBack(topic);
  expect(text(read.committed)).toEqual([...values('c', 5), ...values('d', 5), 'plain']);
  expect(text(read.uncommitted)).toEqual([...values('c', 5), ...values('x', 5), ...values('d', 5), 'plain']);
});
