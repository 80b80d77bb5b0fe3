// Partition reassignment with real clients: four `skein kafka` processes on a `skein zookeeper` process,
// a topic with replication factor 3 and min.insync.replicas=2 on brokers 1-3. While kafkajs and librdkafka
// (confluent-kafka-python) stream acks=all records into both partitions, kafkajs admin's alterPartitionReassignments moves every replica
// off broker 1 onto broker 4 (one partition's leader with it). Afterwards: listPartitionReassignments has
// nothing in progress, the topic znode holds the targets in Kafka's layout with no adding or removing
// replicas, kcat -L shows the new replicas all in sync, broker 1 has deleted its copies, and every
// acknowledged record is in the partitions' logs in the order it was acknowledged per partition. Then: a
// replica moved away while its broker was down is deleted when that broker comes back (full
// LeaderAndIsr), a reassignment through Kafka 2.x's /admin/reassign_partitions znode is carried out,
// a broker other than the controller answers NOT_CONTROLLER, and a reassignment stuck on a hung replica
// is listed and cancelled.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../protocol/kafka/index.js';
import {
  CONTROLLER_PATH,
  decodeController,
  decodePartitionState,
  decodeTopicAssignment,
  partitionStatePath,
  REASSIGN_PARTITIONS_PATH,
  topicPath,
} from '../../protocol/kafka/zk/znodes.js';
import { KafkaConnection, fetchPartition, recordsOf } from '../../src/kafka/client/index.js';
import { ZooKeeperClient } from '../../src/zookeeper/client/client.js';
import { waitFor as until } from '../../test/integration/kafka/groups-harness.js';
import { startAckingProducer } from '../helpers/acking-producer.js';
import { run } from '../helpers/commands.js';
import { SkeinKafka, SkeinZooKeeper } from '../helpers/skein-process.js';

const TOPIC = 'moving';
const CHROOT = '/kafka';
/** From replicas 1-3 to 2-4: partition 0 loses its leader (1), partition 1 keeps its own (2). */
const BEFORE = [
  [1, 2, 3],
  [2, 3, 1],
];
const AFTER = [
  [4, 2, 3],
  [2, 4, 3],
];

let zkServer: SkeinZooKeeper;
let zk: ZooKeeperClient;
const brokers = new Map<number, SkeinKafka>();

async function state(partition: number): Promise<{ leader: number; leaderEpoch: number; isr: number[] } | undefined> {
  try {
    return decodePartitionState((await zk.getData(partitionStatePath(TOPIC, partition))).data);
  } catch {
    return undefined;
  }
}

const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

beforeAll(async () => {
  zkServer = await SkeinZooKeeper.start();
  for (const id of [1, 2, 3, 4]) {
    brokers.set(
      id,
      await SkeinKafka.start({
        'broker.id': String(id),
        'zookeeper.connect': `${zkServer.address}${CHROOT}`,
        'zookeeper.session.timeout.ms': '3000',
        'replica.lag.time.max.ms': '5000',
        'replica.fetch.backoff.ms': '100',
        'replica.fetch.wait.max.ms': '200',
        'auto.leader.rebalance.enable': 'false',
        'offsets.topic.num.partitions': '1',
      }),
    );
  }
  zk = await ZooKeeperClient.connect(`${zkServer.address}${CHROOT}`);
});

afterAll(async () => {
  await zk?.close();
  for (const b of brokers.values()) await b.destroy();
  await zkServer?.destroy();
});

test('kafkajs moves replicas off a broker under kafkajs and librdkafka acks=all producers: no acknowledged record lost, kcat sees the new replicas, the old copies are deleted', async () => {
  const kafka = new Kafka({
    brokers: [...brokers.values()].map((b) => b.bootstrap),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin: Admin = kafka.admin();
  await admin.connect();
  await until('four live brokers', async () => ((await admin.describeCluster().catch(() => undefined))?.brokers.length === 4 ? true : undefined));
  await admin.createTopics({
    topics: [{ topic: TOPIC, replicaAssignment: BEFORE.map((replicas, partition) => ({ partition, replicas })), configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
  });
  await until('full ISRs', async () => ((await state(0))?.isr.length === 3 && (await state(1))?.isr.length === 3 ? true : undefined));

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const acked: { partition: number; seq: number }[] = [];
  let stopping = false;
  let seq = 0;
  const streaming = (async () => {
    while (!stopping) {
      const n = seq++;
      const partition = n % 2;
      try {
        await producer.send({ topic: TOPIC, acks: -1, timeout: 5000, messages: [{ partition, key: `k${partition}`, value: `js:${n}` }] });
        acked.push({ partition, seq: n });
      } catch {
        // Not acknowledged: only acknowledged records are checked.
      }
    }
  })();

  // librdkafka too, with keys spread over both partitions.
  const py = startAckingProducer([...brokers.values()].map((b) => b.bootstrap).join(','), TOPIC, ['p0', 'p1', 'p2', 'p3']);
  const pyAcked = py.acked;
  let pyExit = { code: null as number | null, stderr: 'not stopped' };

  try {
    await until('records acknowledged before the move', () => (acked.length > 1000 && pyAcked.length > 1000 ? true : undefined), 60_000);
    const askedAt = Date.now();
    await admin.alterPartitionReassignments({ topics: [{ topic: TOPIC, partitionAssignment: AFTER.map((replicas, partition) => ({ partition, replicas })) }] });
    // kafkajs 2.2 hands on the decoded response, whose names differ from its own typings.
    type Listed = { topics: { name: string; partitions: { partition: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }[] }[] };
    const inFlight = (await admin.listPartitionReassignments({ topics: [{ topic: TOPIC, partitions: [0, 1] }] })) as unknown as Listed;
    // Still moving, or already done: either way nothing but this topic's partitions, with Kafka's RS = TRS + ORS.
    for (const t of inFlight.topics) {
      expect(t.name).toBe(TOPIC);
      for (const p of t.partitions) {
        expect(sorted([...p.replicas])).toEqual(sorted([...new Set([...AFTER[p.partition]!, ...BEFORE[p.partition]!])]));
        expect(p.addingReplicas).toEqual([4]);
        expect(p.removingReplicas).toEqual([1]);
      }
    }
    console.log(`reassign: ${inFlight.topics.flatMap((t) => t.partitions).length} partitions listed in progress right after the request`);
    await until('no reassignment in progress', async () => ((await admin.listPartitionReassignments({})).topics.length === 0 ? true : undefined));
    console.log(`reassign: request to nothing in progress ${Date.now() - askedAt} ms (${acked.length + pyAcked.length} records in the log by then)`);
    const before = acked.length;
    const pyBefore = pyAcked.length;
    await until('records acknowledged after the move', () => (acked.length > before + 200 && pyAcked.length > pyBefore + 200 ? true : undefined));
  } finally {
    stopping = true;
    await streaming;
    await producer.disconnect();
    await admin.disconnect();
    pyExit = await py.stop();
  }
  expect(pyExit.code, pyExit.stderr).toBe(0);

  const znode = decodeTopicAssignment(TOPIC, (await zk.getData(topicPath(TOPIC))).data);
  expect(znode.partitions).toEqual(AFTER);
  expect(znode.addingReplicas).toEqual({});
  expect(znode.removingReplicas).toEqual({});
  for (const [p, replicas] of AFTER.entries()) {
    const s = (await until(`partition ${p}: the whole target in sync`, async () => {
      const got = await state(p);
      return got && sorted(got.isr).join() === sorted(replicas).join() ? got : undefined;
    }))!;
    expect(replicas).toContain(s.leader);
  }

  // kcat (librdkafka) through the broker that lost its replicas sees the new ones, all in sync.
  const listed = await until('kcat -L with the new replicas', async () => {
    const out = await run('kcat', ['-b', brokers.get(1)!.bootstrap, '-L', '-J', '-t', TOPIC]);
    if (out.code !== 0) return undefined;
    const kcat = JSON.parse(out.stdout) as { topics: { topic: string; partitions: { partition: number; replicas: { id: number }[]; isrs: { id: number }[] }[] }[] };
    const parts = kcat.topics.find((t) => t.topic === TOPIC)?.partitions ?? [];
    const done = parts.length === 2 && parts.every((p) => p.replicas.map((r) => r.id).join() === AFTER[p.partition]!.join() && p.isrs.length === 3);
    return done ? parts : undefined;
  });
  expect(listed).toHaveLength(2);

  // Broker 1 stopped and deleted its replicas; broker 4 holds copies of both partitions.
  await until('broker 1 deleted its copies', () => (!existsSync(join(brokers.get(1)!.dir, 'data', `${TOPIC}-0`)) && !existsSync(join(brokers.get(1)!.dir, 'data', `${TOPIC}-1`)) ? true : undefined));
  for (const p of [0, 1]) expect(existsSync(join(brokers.get(4)!.dir, 'data', `${TOPIC}-${p}`))).toBe(true);

  // Every acknowledged record is in its partition: kafkajs's in the order acknowledged per partition,
  // librdkafka's in the order sent per key.
  const position = new Map<string, { partition: number; at: number }>();
  for (const p of [0, 1]) {
    const leader = (await state(p))!.leader;
    const conn = await KafkaConnection.connect(brokers.get(leader)!.bootstrap);
    try {
      let offset = 0;
      let at = 0;
      for (;;) {
        const fetched = await fetchPartition(conn, TOPIC, p, offset);
        if (fetched.headers.length === 0) break;
        for (const r of recordsOf(fetched, offset)) {
          const v = r.value!.toString();
          if (!position.has(v)) position.set(v, { partition: p, at });
          at++;
        }
        offset = fetched.nextOffset;
      }
    } finally {
      conn.close();
    }
  }
  const inOrder = (values: string[]): boolean => {
    const at = values.map((v) => position.get(v)!.at);
    return at.every((x, i) => i === 0 || at[i - 1]! < x);
  };
  for (const p of [0, 1]) {
    const mine = acked.filter((a) => a.partition === p).map((a) => `js:${a.seq}`);
    expect(mine.filter((v) => position.get(v)?.partition !== p), `partition ${p}: acknowledged kafkajs records missing`).toEqual([]);
    expect(inOrder(mine), `partition ${p}: kafkajs order`).toBe(true);
  }
  const pyValues = pyAcked.map((a) => `${a.key}:${a.seq}`);
  expect(pyValues.filter((v) => !position.has(v)), 'acknowledged librdkafka records missing').toEqual([]);
  for (const key of new Set(pyAcked.map((a) => a.key))) {
    expect(inOrder(pyAcked.filter((a) => a.key === key).sort((x, y) => x.seq - y.seq).map((a) => `${key}:${a.seq}`)), `order of key ${key}`).toBe(true);
  }
  console.log(`reassign: moved ${BEFORE.join(' / ')} -> ${AFTER.join(' / ')} under acks=all writes: kafkajs ${acked.length}, librdkafka ${pyAcked.length} acknowledged, 0 lost`);
}, 120_000);

test('a replica reassigned away while its broker was down is deleted by that broker once the controller sends it the full picture', async () => {
  const kafka = new Kafka({ brokers: [...brokers.values()].map((b) => b.bootstrap), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  const admin = kafka.admin();
  await admin.connect();
  const three = brokers.get(3)!;
  const copy = (p: number) => join(three.dir, 'data', `${TOPIC}-${p}`);
  try {
    expect(existsSync(copy(0))).toBe(true);
    await three.kill();
    await until('broker 3 out of the ISR', async () => ((await state(0))?.isr.includes(3) === false ? true : undefined));
    // 3 is dead: nobody can tell it to delete its copy of partition 0.
    await admin.alterPartitionReassignments({ topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 0, replicas: [4, 2, 1] }] }] });
    await until('the reassignment done', async () => ((await admin.listPartitionReassignments({})).topics.length === 0 ? true : undefined));
    expect(decodeTopicAssignment(TOPIC, (await zk.getData(topicPath(TOPIC))).data).partitions[0]).toEqual([4, 2, 1]);
    expect(existsSync(copy(0))).toBe(true);
    await three.launch();
    await until('broker 3 deleted its stray copy', () => (!existsSync(copy(0)) ? true : undefined));
    // Its copy of partition 1, still assigned, stays and comes back into the ISR.
    expect(existsSync(copy(1))).toBe(true);
    await until('broker 3 back in the ISR of partition 1', async () => ((await state(1))?.isr.includes(3) ? true : undefined));
  } finally {
    await admin.disconnect();
  }
}, 120_000);

test('a reassignment written to /admin/reassign_partitions, as Kafka 2.x tools wrote it, is carried out and the znode removed', async () => {
  const json = JSON.stringify({ version: 1, partitions: [{ topic: TOPIC, partition: 1, replicas: [1, 4, 3], log_dirs: ['any', 'any', 'any'] }] });
  await zk.create(REASSIGN_PARTITIONS_PATH, Buffer.from(json));
  await until('the znode removed once done', async () => ((await zk.exists(REASSIGN_PARTITIONS_PATH)) === null ? true : undefined));
  expect(decodeTopicAssignment(TOPIC, (await zk.getData(topicPath(TOPIC))).data).partitions[1]).toEqual([1, 4, 3]);
  const s = (await state(1))!;
  expect(sorted(s.isr)).toEqual([1, 3, 4]);
  await until('broker 2 deleted its copy', () => (!existsSync(join(brokers.get(2)!.dir, 'data', `${TOPIC}-1`)) ? true : undefined));
}, 60_000);

test('a broker that is not the controller answers both APIs with NOT_CONTROLLER, as Kafka 2.8 in ZooKeeper mode', async () => {
  const controller = decodeController((await zk.getData(CONTROLLER_PATH)).data);
  const other = [...brokers.entries()].find(([id]) => id !== controller)![1];
  const conn = await KafkaConnection.connect(other.bootstrap);
  try {
    const alter = await conn.send(ApiKey.AlterPartitionReassignments, 0, { timeoutMs: 1000, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, replicas: [1, 2, 3] }] }] });
    expect(alter).toMatchObject({ errorCode: ErrorCode.NOT_CONTROLLER, responses: [] });
    const list = await conn.send(ApiKey.ListPartitionReassignments, 0, { timeoutMs: 1000, topics: null });
    expect(list).toMatchObject({ errorCode: ErrorCode.NOT_CONTROLLER, topics: [] });
  } finally {
    conn.close();
  }
});

test('a reassignment that cannot finish (its new replica hangs) is listed in progress, and cancelling it restores the original replicas', async () => {
  const controller = decodeController((await zk.getData(CONTROLLER_PATH)).data);
  // A partition and the one broker it is not on, other than the controller: that broker joins it while
  // hung (SIGSTOP), so it never catches up; its session lasts a while, so the controller takes it as live.
  const assigned = decodeTopicAssignment(TOPIC, (await zk.getData(topicPath(TOPIC))).data).partitions;
  const partition = assigned.findIndex((r) => [1, 2, 3, 4].some((b) => !r.includes(b) && b !== controller));
  const before = assigned[partition]!;
  const hung = [1, 2, 3, 4].find((b) => !before.includes(b) && b !== controller)!;
  const target = [before[0]!, before[1]!, hung];
  const conn = await KafkaConnection.connect(brokers.get(controller)!.bootstrap);
  brokers.get(hung)!.pause();
  try {
    const moved = await conn.send(ApiKey.AlterPartitionReassignments, 0, { timeoutMs: 5000, topics: [{ name: TOPIC, partitions: [{ partitionIndex: partition, replicas: target }] }] });
    expect(moved.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    const listed = await conn.send(ApiKey.ListPartitionReassignments, 0, { timeoutMs: 5000, topics: [{ name: TOPIC, partitionIndexes: [partition] }] });
    expect(listed.topics).toEqual([{ name: TOPIC, partitions: [{ partitionIndex: partition, replicas: [...target, before[2]!], addingReplicas: [hung], removingReplicas: [before[2]!] }] }]);
    // Null replicas cancel: back to the original replicas, nothing in progress.
    const cancelled = await conn.send(ApiKey.AlterPartitionReassignments, 0, { timeoutMs: 5000, topics: [{ name: TOPIC, partitions: [{ partitionIndex: partition, replicas: null }] }] });
    expect(cancelled.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    const after = decodeTopicAssignment(TOPIC, (await zk.getData(topicPath(TOPIC))).data);
    expect(sorted(after.partitions[partition]!)).toEqual(sorted(before));
    expect(after.addingReplicas).toEqual({});
    expect((await conn.send(ApiKey.ListPartitionReassignments, 0, { timeoutMs: 5000, topics: null })).topics).toEqual([]);
    const again = await conn.send(ApiKey.AlterPartitionReassignments, 0, { timeoutMs: 5000, topics: [{ name: TOPIC, partitions: [{ partitionIndex: partition, replicas: null }] }] });
    expect(again.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS);
  } finally {
    brokers.get(hung)!.resume();
    conn.close();
  }
  // Woken up, the hung broker drops any copy it started (StopReplica, or the next full LeaderAndIsr).
  await until(`broker ${hung} without a copy of partition ${partition}`, () => (!existsSync(join(brokers.get(hung)!.dir, 'data', `${TOPIC}-${partition}`)) ? true : undefined));
}, 60_000);
