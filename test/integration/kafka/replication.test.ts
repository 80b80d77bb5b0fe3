// Replication between in-process brokers, the test playing the controller (LeaderAndIsr / StopReplica
// over the wire, the partition state "znode" in memory): followers hold the leader's batches byte for
// byte, the high watermark follows the ISR, acks=all waits for it, consumers never read above it, a
// follower that stops leaves the ISR and comes back, and a deposed leader truncates what it alone had.
import { afterEach, describe, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { KafkaConnection, fetchPartition, produceRecords } from '../../../src/kafka/client/index.js';
import { errorOf } from '../../helpers/error-code.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { ReplicationCluster } from '../../helpers/replication-cluster.js';
import { waitFor } from './groups-harness.js';

let cluster: ReplicationCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const T = 'rep';
const ALL = [1, 2, 3];

function partitionOf(b: TestBroker, topic = T, index = 0) {
  const p = b.broker.replicas.partition(topic, index);
  if (!p) throw new Error(`${topic}-${index} is not on broker ${b.broker.brokerId}`);
  return p;
}

/** The log's bytes from its start to its end, as stored. */
async function logBytes(b: TestBroker, topic = T): Promise<Buffer> {
  const log = partitionOf(b, topic).log;
  const chunks: Buffer[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const r = await log.read(offset, 1 << 20);
    chunks.push(...r.chunks);
    offset = r.nextOffset;
  }
  return Buffer.concat(chunks);
}

function produce(c: ReplicationCluster, id: number, values: string[], acks = -1, timeoutMs = 10_000): Promise<{ baseOffset: number }> {
  return produceRecords(
    c.node(id).conn,
    T,
    0,
    values.map((v) => ({ key: Buffer.from(v), value: Buffer.from(v) })),
    { acks, timeoutMs },
  );
}

/** StopReplica v3 without an epoch and without deleting: the replica stops fetching. */
async function stopReplica(c: ReplicationCluster, id: number): Promise<number> {
  const res = await c.node(id).conn.send(ApiKey.StopReplica, 3, {
    controllerId: 1,
    controllerEpoch: c.controllerEpoch,
    brokerEpoch: -1,
    topicStates: [{ topicName: T, partitionStates: [{ partitionIndex: 0, leaderEpoch: -1, deletePartition: false }] }],
  });
  return res.partitionErrors[0]?.errorCode ?? -1;
}

async function caughtUp(c: ReplicationCluster, ids: number[], end: number): Promise<void> {
  await waitFor(`brokers ${ids} to reach ${end}`, () => (ids.every((id) => partitionOf(c.node(id).broker).log.logEndOffset === end) ? true : undefined), 15_000);
}

describe('replication between brokers', () => {
  test('followers store the leader batches byte for byte; acks=all is answered once every ISR member has them', async () => {
    cluster = await ReplicationCluster.start(3);
    await cluster.createTopic(T);
    const errors = await cluster.elect(T, 0, { leader: 1, leaderEpoch: 1, isr: ALL, replicas: ALL });
    expect([...errors.values()]).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
    for (let i = 0; i < 20; i++) {
      const { baseOffset } = await produce(cluster, 1, [`a${i}`, `b${i}`]);
      expect(baseOffset).toBe(2 * i);
      // acks=all: by the time of the answer every ISR member has the batch (on disk, Skein's rule).
      for (const id of [2, 3]) expect(partitionOf(cluster.node(id).broker).log.logEndOffset).toBeGreaterThanOrEqual(2 * i + 2);
    }
    const leader = cluster.node(1).broker;
    expect(partitionOf(leader).log.highWatermark).toBe(40);
    await caughtUp(cluster, ALL, 40);
    const expected = await logBytes(leader);
    for (const id of [2, 3]) {
      const b = cluster.node(id).broker;
      expect((await logBytes(b)).equals(expected)).toBe(true);
      expect(partitionOf(b).log.leaderEpochEntries()).toEqual(partitionOf(leader).log.leaderEpochEntries());
      await waitFor('the follower high watermark', () => (partitionOf(b).log.highWatermark === 40 ? true : undefined));
    }
    // Followers refuse clients: the leader is elsewhere.
    expect(await errorOf(produce(cluster, 2, ['x']))).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(await errorOf(fetchPartition(cluster.node(3).conn, T, 0, 0))).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  test('a follower that stops leaves the ISR; consumers never read above the high watermark; min.insync.replicas refuses acks=all; the follower comes back', async () => {
    cluster = await ReplicationCluster.start(3, { 'min.insync.replicas': '2', 'replica.lag.time.max.ms': '1000' });
    await cluster.createTopic(T);
    await cluster.elect(T, 0, { leader: 1, leaderEpoch: 1, isr: ALL, replicas: ALL });
    await produce(cluster, 1, ['committed']);
    expect(await stopReplica(cluster, 2)).toBe(ErrorCode.NONE);
    expect(await stopReplica(cluster, 3)).toBe(ErrorCode.NONE);
    // Written on the leader only: not committed, so no consumer sees it, and acks=all waits in vain.
    await produce(cluster, 1, ['leader-only'], 1);
    const consumer = cluster.node(1).conn;
    const read = await fetchPartition(consumer, T, 0, 0);
    expect(read.highWatermark).toBe(1);
    expect(read.headers.map((h) => h.baseOffset)).toEqual([0]);
    expect(await errorOf(fetchPartition(consumer, T, 0, 1, { maxWaitMs: 100 }))).toBe(ErrorCode.NONE);
    // The ISR shrinks to the leader alone (the znode says so), below min.insync.replicas=2: the high
    // watermark stays, and acks=all is refused before the append.
    await waitFor('the ISR to shrink', () => (cluster!.znode(T, 0)?.isr.length === 1 ? true : undefined), 10_000);
    expect(cluster.znode(T, 0)?.isr).toEqual([1]);
    expect(partitionOf(cluster.node(1).broker).isr).toEqual([1]);
    expect(await errorOf(produce(cluster, 1, ['refused']))).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect((await fetchPartition(consumer, T, 0, 0)).highWatermark).toBe(1);
    // Follower 2 comes back (the controller bumps the epoch): it catches up and rejoins the ISR.
    const zn = cluster.znode(T, 0)!;
    await cluster.elect(T, 0, { leader: 1, leaderEpoch: 2, isr: zn.isr, replicas: ALL });
    await waitFor('the ISR to expand', () => (cluster!.znode(T, 0)!.isr.length >= 2 ? true : undefined), 10_000);
    await produce(cluster, 1, ['accepted']);
    expect((await fetchPartition(consumer, T, 0, 0)).highWatermark).toBe(3);
    await caughtUp(cluster, ALL, 3);
  });

  test('a changed min.insync.replicas reaches the leader at once', async () => {
    cluster = await ReplicationCluster.start(2, { 'replica.lag.time.max.ms': '500' });
    await cluster.createTopic(T);
    await cluster.elect(T, 0, { leader: 1, leaderEpoch: 1, isr: [1, 2], replicas: [1, 2] });
    await produce(cluster, 1, ['both']);
    await stopReplica(cluster, 2);
    const pending = produce(cluster, 1, ['alone']);
    await waitFor('the ISR to shrink', () => (cluster!.znode(T, 0)?.isr.length === 1 ? true : undefined), 10_000);
    expect(await errorOf(pending)).toBe(ErrorCode.NONE);
    await cluster.node(1).broker.broker.topics.setConfigs(T, { 'min.insync.replicas': '2' });
    expect(await errorOf(produce(cluster, 1, ['refused']))).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    await cluster.node(1).broker.broker.topics.setConfigs(T, {});
    expect(await errorOf(produce(cluster, 1, ['accepted']))).toBe(ErrorCode.NONE);
  });

  test('acks=all times out while an ISR member does not fetch', async () => {
    cluster = await ReplicationCluster.start(2, { 'replica.lag.time.max.ms': '30000' });
    await cluster.createTopic(T);
    await cluster.elect(T, 0, { leader: 1, leaderEpoch: 1, isr: [1, 2], replicas: [1, 2] });
    await produce(cluster, 1, ['one']);
    await stopReplica(cluster, 2);
    const started = Date.now();
    expect(await errorOf(produce(cluster, 1, ['two'], -1, 300))).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    // acks=1 is answered after the local append, as in Kafka.
    expect(await errorOf(produce(cluster, 1, ['three'], 1))).toBe(ErrorCode.NONE);
  });

  test('a deposed leader truncates the tail the new leader never had, then follows it byte for byte', async () => {
    cluster = await ReplicationCluster.start(3);
    await cluster.createTopic(T);
    await cluster.elect(T, 0, { leader: 1, leaderEpoch: 1, isr: ALL, replicas: ALL });
    for (let i = 0; i < 5; i++) await produce(cluster, 1, [`c${i}`]);
    await caughtUp(cluster, ALL, 5);
    await stopReplica(cluster, 2);
    await stopReplica(cluster, 3);
    // Broker 1 alone takes two more (acks=1): they were never committed.
    await produce(cluster, 1, ['lost-1'], 1);
    await produce(cluster, 1, ['lost-2'], 1);
    expect(partitionOf(cluster.node(1).broker).log.logEndOffset).toBe(7);
    // The controller elects broker 2 (epoch 2); broker 1 becomes a follower.
    const errors = await cluster.elect(T, 0, { leader: 2, leaderEpoch: 2, isr: [2, 3], replicas: ALL });
    expect([...errors.values()]).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
    expect(await errorOf(produce(cluster, 1, ['x']))).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    for (let i = 0; i < 3; i++) await produce(cluster, 2, [`n${i}`]);
    await caughtUp(cluster, ALL, 8);
    const expected = await logBytes(cluster.node(2).broker);
    expect((await logBytes(cluster.node(1).broker)).equals(expected)).toBe(true);
    expect((await logBytes(cluster.node(3).broker)).equals(expected)).toBe(true);
    const values = (await fetchPartition(cluster.node(2).conn, T, 0, 0)).headers.length;
    expect(values).toBe(8);
    expect(partitionOf(cluster.node(1).broker).log.leaderEpochEntries().map((e) => e.epoch)).toEqual(partitionOf(cluster.node(2).broker).log.leaderEpochEntries().map((e) => e.epoch));
    // Broker 1 rejoins the ISR once caught up.
    await waitFor('broker 1 back in the ISR', () => (cluster!.znode(T, 0)!.isr.includes(1) ? true : undefined), 10_000);
  });

  test('follower fetches get Kafka errors: stale and future epochs, an unknown replica, an offset past the leader log', async () => {
    cluster = await ReplicationCluster.start(2);
    await cluster.createTopic(T);
    await cluster.elect(T, 0, { leader: 1, leaderEpoch: 5, isr: [1, 2], replicas: [1, 2] });
    await produce(cluster, 1, ['a', 'b']);
    const conn = cluster.node(1).conn;
    const asReplica = (replicaId: number, offset: number, currentLeaderEpoch: number) => errorOf(fetchPartition(conn, T, 0, offset, { replicaId, currentLeaderEpoch }));
    expect(await asReplica(2, 0, 4)).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(await asReplica(2, 0, 6)).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect(await asReplica(7, 0, 5)).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect(await asReplica(7, 0, -1)).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(await asReplica(2, 99, 5)).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    // A follower reads the leader's whole log, past the high watermark a consumer stops at.
    await stopReplica(cluster, 2);
    await produce(cluster, 1, ['c'], 1);
    const replica = await fetchPartition(conn, T, 0, 0, { replicaId: 2, currentLeaderEpoch: 5 });
    expect(replica.nextOffset).toBe(3);
    expect((await fetchPartition(conn, T, 0, 0)).nextOffset).toBe(2);
  });

  test('a follower stopped and restarted on its data catches up from where its log ends', async () => {
    cluster = await ReplicationCluster.start(3);
    await cluster.createTopic(T);
    await cluster.elect(T, 0, { leader: 1, leaderEpoch: 1, isr: ALL, replicas: ALL });
    for (let i = 0; i < 5; i++) await produce(cluster, 1, [`b${i}`]);
    await caughtUp(cluster, ALL, 5);
    await cluster.stopBroker(3);
    // The ISR waits for it (acks=all too) until it has lagged replica.lag.time.max.ms behind new records.
    const pending = Promise.all([5, 6, 7, 8, 9].map((i) => produce(cluster!, 1, [`b${i}`])));
    await waitFor('broker 3 out of the ISR', () => (cluster!.znode(T, 0)!.isr.includes(3) ? undefined : true), 10_000);
    await pending;
    await cluster.restartBroker(3);
    const zn = cluster.znode(T, 0)!;
    await cluster.elect(T, 0, { leader: 1, leaderEpoch: 2, isr: zn.isr, replicas: ALL });
    await caughtUp(cluster, ALL, 10);
    expect((await logBytes(cluster.node(3).broker)).equals(await logBytes(cluster.node(1).broker))).toBe(true);
    await waitFor('broker 3 back in the ISR', () => (cluster!.znode(T, 0)!.isr.includes(3) ? true : undefined), 10_000);
  });

  test('many partitions led by different brokers, two fetchers per leader: every replica ends byte-identical', async () => {
    cluster = await ReplicationCluster.start(3, { 'num.replica.fetchers': '2' });
    const topic = 'spread';
    const partitions = 6;
    await cluster.createTopic(topic, partitions);
    for (let p = 0; p < partitions; p++) {
      const replicas = [1, 2, 3].map((_, i) => ((p + i) % 3) + 1);
      await cluster.elect(topic, p, { leader: replicas[0]!, leaderEpoch: 1, isr: replicas, replicas });
    }
    await Promise.all(
      Array.from({ length: partitions }, async (_, p) => {
        const leader = cluster!.node((p % 3) + 1).conn;
        for (let i = 0; i < 10; i++) await produceRecords(leader, topic, p, [{ key: null, value: Buffer.from(`${p}-${i}`) }], { acks: -1 });
      }),
    );
    for (let p = 0; p < partitions; p++) {
      const logs = cluster.brokers.map((b) => b.broker.broker.replicas.partition(topic, p)!.log);
      // acks=all: each follower had every batch before its answer.
      expect(logs.map((l) => l.logEndOffset)).toEqual([10, 10, 10]);
      const bytes = await Promise.all(logs.map(async (l) => Buffer.concat((await l.read(0, 1 << 20)).chunks)));
      expect(bytes[1]!.equals(bytes[0]!) && bytes[2]!.equals(bytes[0]!)).toBe(true);
    }
  });

  test('a broker without a controller (no zookeeper.connect) refuses LeaderAndIsr and StopReplica', async () => {
    const alone = await startTestBroker();
    const conn = await KafkaConnection.connect(alone.bootstrap);
    try {
      const lai = await conn.send(ApiKey.LeaderAndIsr, 5, {
        controllerId: 9,
        controllerEpoch: 1,
        brokerEpoch: -1,
        type: 0,
        topicStates: [{ topicName: T, topicId: '0123456789abcdef0123456789abcdef', partitionStates: [{ partitionIndex: 0, controllerEpoch: 1, leader: 9, leaderEpoch: 1, isr: [9], partitionEpoch: 0, replicas: [9, 0], addingReplicas: [], removingReplicas: [], isNew: false }] }],
        liveLeaders: [],
      });
      expect(lai.errorCode).toBe(ErrorCode.INVALID_REQUEST);
      const stop = await conn.send(ApiKey.StopReplica, 3, { controllerId: 9, controllerEpoch: 1, brokerEpoch: -1, topicStates: [] });
      expect(stop.errorCode).toBe(ErrorCode.INVALID_REQUEST);
      expect(alone.broker.replicas.partition(T, 0)).toBeUndefined();
    } finally {
      conn.close();
      await alone.close();
    }
  });

  test('a restarted leader takes its high watermark from the checkpoint, not its log end or start', async () => {
    cluster = await ReplicationCluster.start(2);
    await cluster.createTopic(T);
    await cluster.elect(T, 0, { leader: 1, leaderEpoch: 1, isr: [1, 2], replicas: [1, 2] });
    for (let i = 0; i < 5; i++) await produce(cluster, 1, [`c${i}`]);
    await stopReplica(cluster, 2);
    // Leader-only and never committed: above the high watermark, and it must stay so after the restart.
    await produce(cluster, 1, ['uncommitted'], 1);
    await cluster.stopBroker(2);
    await cluster.stopBroker(1);
    await cluster.restartBroker(1);
    await cluster.elect(T, 0, { leader: 1, leaderEpoch: 2, isr: [1, 2], replicas: [1, 2] }, [1]);
    // Broker 2 is down and in the ISR: nothing moves the high watermark, yet the committed records show.
    const read = await fetchPartition(cluster.node(1).conn, T, 0, 0);
    expect(read.highWatermark).toBe(5);
    expect(read.nextOffset).toBe(5);
  });

  test('LeaderAndIsr answers as Kafka: a stale controller, a stale leader epoch, a broker not among the replicas, another topic id', async () => {
    cluster = await ReplicationCluster.start(2);
    await cluster.createTopic(T);
    await cluster.elect(T, 0, { leader: 1, leaderEpoch: 3, isr: [1, 2], replicas: [1, 2] });
    const state = { leader: 1, leaderEpoch: 3, isr: [1, 2], replicas: [1, 2], partitionEpoch: 0 };
    const stale = await cluster.leaderAndIsr(1, T, 0, state, 0);
    expect(stale.errorCode).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
    const sameEpoch = await cluster.leaderAndIsr(1, T, 0, state);
    expect(sameEpoch.topics[0]!.partitionErrors[0]!.errorCode).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
    const notOurs = await cluster.leaderAndIsr(1, T, 0, { ...state, leaderEpoch: 4, replicas: [2], isr: [2], leader: 2 });
    expect(notOurs.topics[0]!.partitionErrors[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    // Another topic id under the same name is another life of the topic: not this log (v5+).
    const otherLife = await cluster.node(1).conn.send(ApiKey.LeaderAndIsr, 5, {
      controllerId: 1,
      controllerEpoch: cluster.controllerEpoch,
      brokerEpoch: -1,
      type: 0,
      topicStates: [{ topicName: T, topicId: 'ffffffffffffffffffffffffffffffff', partitionStates: [{ partitionIndex: 0, controllerEpoch: cluster.controllerEpoch, leader: 1, leaderEpoch: 9, isr: [1, 2], partitionEpoch: 0, replicas: [1, 2], addingReplicas: [], removingReplicas: [], isNew: false }] }],
      liveLeaders: [],
    });
    expect(otherLife.topics[0]!.partitionErrors[0]!.errorCode).toBe(ErrorCode.INCONSISTENT_TOPIC_ID);
    // v0-1 list partitions alone, v2-4 under their topic; up to v4 the answer names topics, not ids.
    const p = { partitionIndex: 0, controllerEpoch: 1, leader: 1, leaderEpoch: 5, isr: [1, 2], partitionEpoch: 0, replicas: [1, 2], isNew: false };
    const v1 = await cluster.node(1).conn.send(ApiKey.LeaderAndIsr, 1, { controllerId: 1, controllerEpoch: 1, ungroupedPartitionStates: [{ ...p, topicName: T }], liveLeaders: [] });
    expect(v1.partitionErrors).toEqual([{ topicName: T, partitionIndex: 0, errorCode: ErrorCode.NONE }]);
    const v4 = await cluster.node(2).conn.send(ApiKey.LeaderAndIsr, 4, {
      controllerId: 1,
      controllerEpoch: 1,
      brokerEpoch: -1,
      topicStates: [{ topicName: T, partitionStates: [{ ...p, leaderEpoch: 6, addingReplicas: [], removingReplicas: [] }] }],
      liveLeaders: [],
    });
    expect(v4.partitionErrors).toEqual([{ topicName: T, partitionIndex: 0, errorCode: ErrorCode.NONE }]);
    // StopReplica with an old epoch is fenced.
    const fenced = await cluster.node(2).conn.send(ApiKey.StopReplica, 3, {
      controllerId: 1,
      controllerEpoch: cluster.controllerEpoch,
      brokerEpoch: -1,
      topicStates: [{ topicName: T, partitionStates: [{ partitionIndex: 0, leaderEpoch: 2, deletePartition: false }] }],
    });
    expect(fenced.partitionErrors[0]!.errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
  });
});
