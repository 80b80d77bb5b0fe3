// kcat (Debian, librdkafka 2.0.2) against a `skein kafka` process: -L metadata as the broker reports it,
// and whole topics produced and consumed with every codec under acks=all, every record compared byte
// for byte. Input is framed with multi-byte delimiters no record contains; output with -f, whose %K and
// %S lengths make the raw key and value bytes that follow them unambiguous.
import { expect, test } from 'vitest';
import { run } from '../helpers/commands.js';
import { createTopic, metadata, storedAs } from '../helpers/kafka-admin.js';
import { CODECS, KCAT_WRITES, type Header, makeRecords, type ReadRecord, sortReads, type TestRecord, toWireRead } from '../helpers/records.js';
import { kafkaForTests } from '../helpers/skein-process.js';

const BROKER_ID = 7;
const PARTITIONS = 2;
const RECORDS = 200;
const DELIMITER = Buffer.from([0x1e, 0xa7, 0x1f, 0xb3]);
const KEY_DELIMITER = Buffer.from([0x1d, 0x9c, 0x1c, 0xe4]);
/** The header line of each record kcat prints, followed by the raw key and value and a newline. */
const FORMAT = '%p %o %K %S %T %h\\n%k%s\\n';

/** kcat sets headers per run (-H), so each partition's run gets its own; %h prints them as n=v CSV. */
const RUN_HEADERS: Header[][] = [
  [
    ['trace-id', Buffer.from('abc-123')],
    ['empty', Buffer.alloc(0)],
    ['no-value', null],
    ['héader-ü', Buffer.from('värde ✓')],
  ],
  [
    ['dup', Buffer.from('1')],
    ['dup', Buffer.from('2')],
  ],
];

const kafka = kafkaForTests({ 'broker.id': String(BROKER_ID), 'num.partitions': '3' });

const escaped = (b: Buffer) => [...b].map((x) => `\\x${x.toString(16).padStart(2, '0')}`).join('');

function headerArgs(headers: Header[]): string[] {
  return headers.flatMap(([name, value]) => ['-H', value === null ? name : `${name}=${value.toString('utf8')}`]);
}

/** Parses %h: `name=value` pairs joined by commas, a null value printed as NULL (no header here holds , or =). */
function parseHeaders(csv: string): Header[] {
  if (csv === '') return [];
  return csv.split(',').map((pair): Header => {
    const eq = pair.indexOf('=');
    const value = pair.slice(eq + 1);
    return [pair.slice(0, eq), value === 'NULL' ? null : Buffer.from(value)];
  });
}

/** Reads what FORMAT printed: records with their CreateTime as kcat saw it. */
function parseConsumed(out: Buffer): ReadRecord[] {
  const records: ReadRecord[] = [];
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(0x0a, at);
    const line = out.subarray(at, eol).toString('utf8');
    const [partition, offset, keyLength, valueLength, timestamp] = line.split(' ', 5).map(Number) as [number, number, number, number, number];
    const headers = line.split(' ').slice(5).join(' ');
    at = eol + 1;
    const take = (n: number) => {
      if (n < 0) return null;
      const b = Buffer.from(out.subarray(at, at + n));
      at += n;
      return b;
    };
    const key = take(keyLength);
    const value = take(valueLength);
    expect(out[at], `newline after the record at ${partition}@${offset}`).toBe(0x0a);
    at += 1;
    records.push({ partition, offset, key, value, headers: parseHeaders(headers), timestamp });
  }
  return records;
}

/** -v -v makes kcat print each delivery report: "Message delivered to partition P (offset O) on broker B". */
function deliveredOffsets(stderr: string): number[] {
  return [...stderr.matchAll(/Message delivered to partition \d+ \(offset (-?\d+)\) on broker (\d+)/g)].map((m) => {
    expect(Number(m[2])).toBe(BROKER_ID);
    return Number(m[1]);
  });
}

/** One kcat -P run per partition, with that partition's headers; returns the records with their offsets. */
async function kcatProduce(topic: string, codec: string, records: TestRecord[]): Promise<ReadRecord[]> {
  const produced: ReadRecord[] = [];
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const mine = records.filter((r) => r.partition === partition);
    const input = Buffer.concat(mine.flatMap((r) => [...(r.key === null ? [] : [r.key, KEY_DELIMITER]), r.value!, DELIMITER]));
    const args = ['-b', kafka().bootstrap, '-P', '-t', topic, '-p', String(partition), '-D', escaped(DELIMITER), '-K', escaped(KEY_DELIMITER)];
    args.push('-X', `compression.codec=${codec}`, '-X', 'acks=all', '-v', '-v', ...headerArgs(RUN_HEADERS[partition]!));
    const r = await run('kcat', args, input);
    expect(r.code, r.stderr).toBe(0);
    const offsets = deliveredOffsets(r.stderr);
    expect(offsets).toEqual(mine.map((_, i) => i));
    mine.forEach((rec, i) => produced.push({ ...rec, headers: RUN_HEADERS[partition]!, offset: offsets[i]! }));
  }
  return sortReads(produced);
}

async function kcatConsume(args: string[]): Promise<ReadRecord[]> {
  const r = await run('kcat', ['-b', kafka().bootstrap, '-C', '-e', '-q', '-f', FORMAT, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return parseConsumed(r.output);
}

/** kcat cannot set CreateTime, so timestamps are compared to the time of the run instead. */
const withoutTimestamp = (r: ReadRecord) => ({ ...toWireRead(r), timestamp: 0 });

test('kcat -L reports the brokers, topics, partitions and leaders that Skein reports', async () => {
  await createTopic(kafka().bootstrap, 'meta-one', 1);
  await createTopic(kafka().bootstrap, 'meta-five', 5);
  // Asking about an unknown topic creates it with num.partitions (auto.create.topics.enable defaults on).
  const auto = await run('kcat', ['-b', kafka().bootstrap, '-L', '-t', 'meta-auto']);
  expect(auto.code, auto.stderr).toBe(0);
  expect(auto.stdout).toContain(`broker ${BROKER_ID} at ${kafka().bootstrap} (controller)`);
  expect(auto.stdout).toContain('topic "meta-auto" with 3 partitions:');

  const listed = await run('kcat', ['-b', kafka().bootstrap, '-L', '-J']);
  expect(listed.code, listed.stderr).toBe(0);
  const kcat = JSON.parse(listed.stdout) as {
    controllerid: number;
    brokers: Array<{ id: number; name: string }>;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number; replicas: Array<{ id: number }>; isrs: Array<{ id: number }> }> }>;
  };
  const skein = await metadata(kafka().bootstrap);
  expect(kcat.controllerid).toBe(skein.controllerId);
  expect(kcat.brokers).toEqual(skein.brokers.map((b) => ({ id: b.nodeId, name: `${b.host}:${b.port}` })));
  const byName = <T extends { topic: string }>(topics: T[]) => [...topics].sort((a, b) => a.topic.localeCompare(b.topic));
  expect(byName(kcat.topics)).toEqual(
    byName(
      skein.topics.map((t) => ({
        topic: t.name!,
        partitions: t.partitions.map((p) => ({
          partition: p.partitionIndex,
          leader: p.leaderId,
          replicas: p.replicaNodes.map((id) => ({ id })),
          isrs: p.isrNodes.map((id) => ({ id })),
        })),
      })),
    ),
  );
  // And what that is: one broker leading every partition of the three topics.
  expect(kcat.controllerid).toBe(BROKER_ID);
  expect(kcat.brokers).toEqual([{ id: BROKER_ID, name: kafka().bootstrap }]);
  expect(byName(kcat.topics).map((t) => [t.topic, t.partitions.length])).toEqual([
    ['meta-auto', 3],
    ['meta-five', 5],
    ['meta-one', 1],
  ]);
  for (const p of kcat.topics.flatMap((t) => t.partitions)) {
    expect(p).toMatchObject({ leader: BROKER_ID, replicas: [{ id: BROKER_ID }], isrs: [{ id: BROKER_ID }] });
  }
});

test.each(CODECS)('compression.codec=%s, acks=all: kcat reads back the whole topic kcat wrote, byte for byte', async (codec) => {
  const topic = `kcat-${codec}`;
  await createTopic(kafka().bootstrap, topic, PARTITIONS);
  const records = makeRecords(CODECS.indexOf(codec) + 1, {
    count: RECORDS,
    partitions: PARTITIONS,
    baseTimestamp: 0,
    ...KCAT_WRITES,
    avoid: [DELIMITER, KEY_DELIMITER],
  });
  const started = Date.now();
  const produced = await kcatProduce(topic, codec, records);
  const ended = Date.now();
  // Stored as produced: in batches of the codec the client used.
  expect(await storedAs(kafka().bootstrap, topic, PARTITIONS, CODECS.indexOf(codec))).toBe(true);

  const consumed = await kcatConsume(['-t', topic, '-o', 'beginning']);
  expect(sortReads(consumed).map(withoutTimestamp)).toEqual(produced.map(withoutTimestamp));
  for (const { timestamp } of consumed) {
    expect(timestamp).toBeGreaterThanOrEqual(started);
    expect(timestamp).toBeLessThanOrEqual(ended);
  }

  // From an offset in the middle of a batch: the broker returns whole batches, kcat skips what precedes it.
  const from = 17;
  const tail = await kcatConsume(['-t', topic, '-p', '1', '-o', String(from)]);
  expect(tail.map(withoutTimestamp)).toEqual(produced.filter((r) => r.partition === 1 && r.offset >= from).map(withoutTimestamp));
});
