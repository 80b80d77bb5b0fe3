// Transactions as real clients see them, against a `skein kafka` process: librdkafka's transactional
// producer (confluent-kafka-python: init/begin/commit/abort, send_offsets_to_transaction in a
// consume-transform-produce step), and read_committed consumers (kcat -X isolation.level=read_committed
// and confluent-kafka) that see committed records only and stop at an open transaction (the last stable
// offset). Data with an open transaction is written with Skein's own client and WriteTxnMarkers, which
// no real producer leaves hanging on purpose.
import { expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../protocol/kafka/index.js';
import { buildRecordBatch } from '../../protocol/kafka/records/batch-builder.js';
import { produceBatch } from '../../src/kafka/client/producer.js';
import { run, runPythonJson } from '../helpers/commands.js';
import { createTopic, withConnection } from '../helpers/kafka-admin.js';
import { kafkaForTests } from '../helpers/skein-process.js';

const DRIVER = new URL('confluent_read_committed.py', import.meta.url);
const kafka = kafkaForTests({ 'offsets.topic.num.partitions': '1', 'transaction.state.log.num.partitions': '1', 'group.initial.rebalance.delay.ms': '0' });

/** partition 0 of `topic` as kcat prints it (one value per line) at an isolation level, up to where it may read. */
async function kcatRead(topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const r = await run('kcat', ['-b', kafka().bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%s\\n']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.toString().split('\n').filter((l) => l !== '');
}

async function confluentRead(topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  return (await runPythonJson<{ values: string[] }>(DRIVER, { mode: 'read', bootstrap: kafka().bootstrap, topic, isolation })).values;
}

const values = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

test('confluent-kafka transactions: kcat and confluent-kafka read_committed consumers see the committed ones only', async () => {
  const topic = 'txn-confluent';
  await createTopic(kafka().bootstrap, topic, 1);
  const transactions = [
    [true, values('c', 5)],
    [false, values('x', 5)],
    [true, values('d', 5)],
  ];
  expect(await runPythonJson(DRIVER, { mode: 'produce', bootstrap: kafka().bootstrap, topic, txid: 'compat-txn', transactions })).toEqual({ ok: true });
  const committed = [...values('c', 5), ...values('d', 5)];
  expect(await kcatRead(topic, 'read_committed')).toEqual(committed);
  expect(await confluentRead(topic, 'read_committed')).toEqual(committed);
  expect(await kcatRead(topic, 'read_uncommitted')).toEqual([...values('c', 5), ...values('x', 5), ...values('d', 5)]);
}, 60_000);

test('an open transaction holds read_committed readers at its first offset until its COMMIT marker', async () => {
  const topic = 'txn-open';
  await createTopic(kafka().bootstrap, topic, 1);
  await withConnection(kafka().bootstrap, async (conn) => {
    const batch = (value: string, producerId?: number) =>
      buildRecordBatch([{ value: Buffer.from(value) }], { baseTimestamp: Date.now(), ...(producerId !== undefined && { producerId, producerEpoch: 0, baseSequence: 0, transactional: true }) });
    await produceBatch(conn, topic, 0, batch('before'));
    await produceBatch(conn, topic, 0, batch('in-txn', 123_456), { transactionalId: 'hanging' });
    await produceBatch(conn, topic, 0, batch('after'));
    expect(await kcatRead(topic, 'read_committed')).toEqual(['before']);
    expect(await confluentRead(topic, 'read_committed')).toEqual(['before']);
    expect(await kcatRead(topic, 'read_uncommitted')).toEqual(['before', 'in-txn', 'after']);
    const response = await conn.send(ApiKey.WriteTxnMarkers, 1, {
      markers: [{ producerId: 123_456, producerEpoch: 0, transactionResult: true, coordinatorEpoch: 0, topics: [{ name: topic, partitionIndexes: [0] }] }],
    });
    expect(response.markers[0]!.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
  });
  expect(await kcatRead(topic, 'read_committed')).toEqual(['before', 'in-txn', 'after']);
}, 60_000);

test('consume-transform-produce with send_offsets_to_transaction: output and group offsets move together, an abort moves neither', async () => {
  const input = 'ctp-in';
  const output = 'ctp-out';
  await createTopic(kafka().bootstrap, input, 1);
  await createTopic(kafka().bootstrap, output, 1);
  await run('kcat', ['-b', kafka().bootstrap, '-P', '-t', input, '-p', '0'], Buffer.from(values('r', 10).join('\n') + '\n'));
  const step = (commit: boolean, count: number) =>
    runPythonJson<{ consumed: number }>(DRIVER, { mode: 'transform', bootstrap: kafka().bootstrap, input, output, group: 'ctp', txid: 'ctp-txn', count, commit });
  // EndTxn answers once the decision is logged; the markers follow, and until the one in __consumer_offsets
  // lands a stable OffsetFetch answers UNSTABLE_OFFSET_COMMIT, which clients retry (as Kafka's do).
  const committedOffset = () =>
    withConnection(kafka().bootstrap, async (conn) => {
      for (let attempt = 0; ; attempt++) {
        const r = await conn.send(ApiKey.OffsetFetch, 7, { groupId: 'ctp', topics: [{ name: input, partitionIndexes: [0] }], requireStable: true });
        const answer = r.topics[0]!.partitions[0]!;
        if (answer.errorCode !== ErrorCode.UNSTABLE_OFFSET_COMMIT || attempt === 200) return answer.committedOffset;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
  expect(await step(false, 10)).toEqual({ consumed: 10 });
  expect(await committedOffset()).toBe(-1);
  expect(await kcatRead(output, 'read_committed')).toEqual([]);
  expect(await step(true, 10)).toEqual({ consumed: 10 });
  expect(await committedOffset()).toBe(10);
  expect(await kcatRead(output, 'read_committed')).toEqual(values('R', 10));
  expect(await confluentRead(output, 'read_committed')).toEqual(values('R', 10));
}, 60_000);
