// `skein start` is a one-broker cluster on its own ZooKeeper: the broker registers in Kafka's znode
// layout and is its own controller. A data dir a broker wrote while it ran alone (topics.json) is carried
// over at the first start with its topics, records and committed offsets; a kill -9 does not make the
// next start wait for the dead process's ZooKeeper session; SIGTERM stops promptly (the controlled
// shutdown of the only broker has nowhere to move leadership and must not hang).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { brokerIdPath, CONTROLLER_PATH, decodeTopicAssignment, topicPath } from '../../../protocol/kafka/zk/znodes.js';
import { ZooKeeperClient } from '../../../src/zookeeper/client/client.js';
import { startTestBroker } from '../../helpers/kafka-broker.js';
import { freePort } from '../../helpers/free-port.js';
import { ROOT, SKEIN_MAIN, ServerProcess, skeinEnv, type CommandLine } from '../../helpers/server-process.js';

class SkeinStart extends ServerProcess {
  constructor(
    readonly dataDir: string,
    readonly kafkaPort: number,
    readonly zkPort: number,
  ) {
    super('"skein node started"');
  }

  protected override commandLine(): CommandLine {
    const args = [SKEIN_MAIN, 'start', '--data-dir', this.dataDir, '--kafka-port', String(this.kafkaPort), '--zookeeper-port', String(this.zkPort), '--http-port', '0'];
    return { file: process.execPath, args, cwd: ROOT, env: skeinEnv() };
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'skein-start-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RECORDS = 20;

/** Every value of `topic` from the start, read by an assign-free consumer group of its own. */
async function readAll(kafka: Kafka, topic: string, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `reader-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value!.toString());
        if (values.length === count) resolve();
      },
    });
  });
  await consumer.disconnect();
  return values.sort();
}

test('an old single-node data dir is carried over by skein start, which is a one-broker cluster in ZooKeeper', async () => {
  const dataDir = join(dir, 'node');
  // The layout `skein start` used before it ran a cluster: the broker alone in <data>/kafka.
  const alone = await startTestBroker({}, join(dataDir, 'kafka'));
  const before = new Kafka({ brokers: [alone.bootstrap], logLevel: logLevel.NOTHING });
  const admin = before.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'old', numPartitions: 2 }] });
  const producer = before.producer();
  await producer.connect();
  await producer.send({ topic: 'old', messages: Array.from({ length: RECORDS }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
  await producer.disconnect();
  await admin.setOffsets({ groupId: 'kept', topic: 'old', partitions: [{ partition: 0, offset: '3' }, { partition: 1, offset: '4' }] });
  await admin.disconnect();
  await alone.stop();

  const node = new SkeinStart(dataDir, await freePort(), await freePort());
  try {
    await node.launch();
    const kafka = new Kafka({ brokers: [`127.0.0.1:${node.kafkaPort}`], logLevel: logLevel.NOTHING });
    const after = kafka.admin();
    await after.connect();
    try {
      expect(await after.listTopics()).toContain('old');
      const committed = await after.fetchOffsets({ groupId: 'kept', topics: ['old'] });
      expect(committed[0]!.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([
        [0, '3'],
        [1, '4'],
      ]);
      expect(await readAll(kafka, 'old', RECORDS)).toEqual(Array.from({ length: RECORDS }, (_, i) => `v${i}`).sort());
      // A one-broker cluster: __consumer_offsets' replication factor is capped at the one live broker.
      const offsetsTopic = await after.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
      expect(offsetsTopic.topics[0]!.partitions.every((p) => p.replicas.length === 1)).toBe(true);
    } finally {
      await after.disconnect();
    }
    const zk = await ZooKeeperClient.connect(`127.0.0.1:${node.zkPort}`);
    try {
      expect(await zk.exists(brokerIdPath(0))).not.toBeNull();
      expect(await zk.exists(CONTROLLER_PATH)).not.toBeNull();
      expect(decodeTopicAssignment('old', (await zk.getData(topicPath('old'))).data).partitions).toEqual([[0], [0]]);
    } finally {
      await zk.close();
    }

    // kill -9 leaves the registration and /controller to a session ZooKeeper keeps for 18 s; the next
    // start removes them as its own previous process's and is ready at once.
    await node.kill();
    const restartedAt = Date.now();
    await node.launch();
    expect(Date.now() - restartedAt).toBeLessThan(10_000);
    expect(node.log).toContain('removed what our previous process left in ZooKeeper');
    const again = kafka.producer();
    await again.connect();
    await again.send({ topic: 'old', messages: [{ key: 'k', value: 'after restart' }] });
    await again.disconnect();

    const stoppedAt = Date.now();
    const exited = node.exited();
    await node.stop();
    expect(await exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
  } finally {
    await node.kill();
  }
}, 90_000);
