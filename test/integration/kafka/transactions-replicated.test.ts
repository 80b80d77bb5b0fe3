// Transactions on a replicated partition: three in-process brokers on one Skein ZooKeeper, a topic with
// replication factor 3. Markers are answered once the ISR has them; followers keep producer state and
// the aborted-transaction index from the batches they copy, so after the leader goes away the new leader
// answers read_committed readers with the same last stable offset and aborted transactions, and a marker
// sent to it closes the transaction the old leader left open.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { buildRecordBatch } from '../../../protocol/kafka/records/batch-builder.js';
import { decodePartitionState, partitionStatePath } from '../../../protocol/kafka/zk/znodes.js';
import { KafkaConnection, fetchPartition } from '../../../src/kafka/client/index.js';
import { produceBatch } from '../../../src/kafka/client/producer.js';
import { ZooKeeperClient } from '../../../src/zookeeper/client/client.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { startTestServer, type TestServer } from '../zookeeper/harness.js';
import { waitFor } from './groups-harness.js';

const CHROOT = '/skein';
const TOPIC = 'txn-replicated';
let zkServer: TestServer;
let zk: ZooKeeperClient;
const brokers = new Map<number, TestBroker>();

beforeAll(async () => {
  zkServer = await startTestServer();
  for (const id of [1, 2, 3]) {
    brokers.set(
      id,
      await startTestBroker({
        'broker.id': String(id),
        'zookeeper.connect': `127.0.0.1:${zkServer.port}${CHROOT}`,
        'zookeeper.session.timeout.ms': '1500',
        'controlled.shutdown.enable': 'false',
        'auto.leader.rebalance.enable': 'false',
        'replica.fetch.backoff.ms': '100',
        'replica.fetch.wait.max.ms': '200',
      }),
    );
  }
  zk = await ZooKeeperClient.connect(`127.0.0.1:${zkServer.port}${CHROOT}`);
  const conn = await KafkaConnection.connect(brokers.get(1)!.bootstrap);
  try {
    await waitFor('the topic with three replicas in sync', async () => {
      const created = await conn.send(ApiKey.CreateTopics, 4, { topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 3 }], timeoutMs: 5_000 });
      const code = created.topics[0]!.errorCode;
      if (code !== ErrorCode.NONE && code !== ErrorCode.TOPIC_ALREADY_EXISTS) return undefined;
      return (await state().catch(() => undefined))?.isr.length === 3 ? true : undefined;
    });
  } finally {
    conn.close();
  }
});

afterAll(async () => {
  await zk?.close();
  for (const b of brokers.values()) await b.close();
  await zkServer?.destroy();
});

async function state(): Promise<{ leader: number; leaderEpoch: number; isr: number[] }> {
  return decodePartitionState((await zk.getData(partitionStatePath(TOPIC, 0))).data);
}

const data = (producerId: number, value: string) =>
  buildRecordBatch([{ value: Buffer.from(value) }], { baseTimestamp: Date.now(), producerId, producerEpoch: 0, baseSequence: 0, transactional: true });

async function marker(conn: KafkaConnection, producerId: number, commit: boolean): Promise<number> {
  const r = await conn.send(ApiKey.WriteTxnMarkers, 1, {
    markers: [{ producerId, producerEpoch: 0, transactionResult: commit, coordinatorEpoch: 0, topics: [{ name: TOPIC, partitionIndexes: [0] }] }],
  });
  return r.markers[0]!.topics[0]!.partitions[0]!.errorCode;
}

test('a new leader knows the open transaction and the aborted ones, and closes the open one', async () => {
  const { leader, leaderEpoch } = await state();
  const conn = await KafkaConnection.connect(brokers.get(leader)!.bootstrap);
  try {
    // ZooKeeper names the leader before its broker has taken LeaderAndIsr: wait until it serves.
    await waitFor('the leader serving the partition', () => fetchPartition(conn, TOPIC, 0, 0).then(() => true, () => undefined), 15_000);
    await produceBatch(conn, TOPIC, 0, data(1, 'aborted'), { acks: -1, transactionalId: 'tx' });
    expect(await marker(conn, 1, false)).toBe(ErrorCode.NONE);
    await produceBatch(conn, TOPIC, 0, data(2, 'open'), { acks: -1, transactionalId: 'tx' });
    const before = await fetchPartition(conn, TOPIC, 0, 0, { isolationLevel: 1 });
    expect(before.lastStableOffset).toBe(2);
    expect(before.abortedTransactions).toEqual([{ producerId: 1, firstOffset: 0 }]);
  } finally {
    conn.close();
  }
  await brokers.get(leader)!.stop();
  brokers.delete(leader);
  const next = await waitFor('a new leader', async () => {
    const s = await state();
    return s.leaderEpoch > leaderEpoch && s.leader !== leader && s.leader >= 0 ? s : undefined;
  }, 15_000);
  const conn2 = await KafkaConnection.connect(brokers.get(next.leader)!.bootstrap);
  try {
    // The new leader's high watermark catches up with its followers; then it answers as the old one did.
    const after = await waitFor('the new leader serving the last stable offset', async () => {
      const f = await fetchPartition(conn2, TOPIC, 0, 0, { isolationLevel: 1 }).catch(() => undefined);
      return f && f.highWatermark === 3 ? f : undefined;
    }, 15_000);
    expect(after.lastStableOffset).toBe(2);
    expect(after.abortedTransactions).toEqual([{ producerId: 1, firstOffset: 0 }]);
    expect(await marker(conn2, 2, true)).toBe(ErrorCode.NONE);
    const committed = await fetchPartition(conn2, TOPIC, 0, 0, { isolationLevel: 1 });
    expect(committed.lastStableOffset).toBe(4);
  } finally {
    conn2.close();
  }
}, 60_000);
