// The failover scenario of issue #9, for any ZooKeeper (one server or an ensemble): three `skein kafka`
// processes, a topic with replication factor 3 and min.insync.replicas=2, kafkajs (in this process) and
// librdkafka (confluent-kafka-python) streaming keyed acks=all records, and a kafkajs consumer group
// committing what it consumed into a `__consumer_offsets` replicated on all three brokers. Round after
// round a broker is killed with SIGKILL and started again: the topic's leader in even rounds, the group
// coordinator (the leader of `__consumer_offsets`) in odd ones, so both move. Afterwards every
// acknowledged record is in the log, each key's acknowledged records in the order they were sent, every
// one was consumed, and no committed offset the coordinator acknowledged was ever lost.
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CONSUMER_OFFSETS_TOPIC } from '../../protocol/kafka/consumer-offsets/group-partition.js';
import { decodePartitionState, partitionStatePath } from '../../protocol/kafka/zk/znodes.js';
import { KafkaConnection, fetchPartition, recordsOf } from '../../src/kafka/client/index.js';
import { ZooKeeperClient } from '../../src/zookeeper/client/client.js';
import { startAckingProducer } from '../helpers/acking-producer.js';
import { SkeinKafka } from '../helpers/skein-process.js';

const TOPIC = 'failover';
const GROUP = 'failover-group';
const CHROOT = '/kafka';

export interface FailoverOptions {
  /** What the test is called after its rounds. */
  title: string;
  rounds: number;
  /** zookeeper.session.timeout.ms of the brokers. */
  sessionMs: number;
  /** Starts the ZooKeeper (one server or an ensemble) and says how brokers reach it. */
  startZooKeeper: () => Promise<{ connectString: string; destroy: () => Promise<void> }>;
}

interface PartitionState {
  leader: number;
  leaderEpoch: number;
  isr: number[];
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Registers the scenario's hooks and its one test in the calling file. */
export function failoverSuite(options: FailoverOptions): void {
  let zkServer: { connectString: string; destroy: () => Promise<void> } | undefined;
  let zk: ZooKeeperClient;
  const brokers = new Map<number, SkeinKafka>();

  async function state(topic: string): Promise<PartitionState | undefined> {
    try {
      return decodePartitionState((await zk.getData(partitionStatePath(topic, 0))).data);
    } catch {
      return undefined;
    }
  }

  async function fullIsrs(what: string): Promise<void> {
    for (const topic of [TOPIC, CONSUMER_OFFSETS_TOPIC]) await until(`${what}: ${topic} with the full ISR`, async () => ((await state(topic))?.isr.length === 3 ? true : undefined));
  }

  beforeAll(async () => {
    zkServer = await options.startZooKeeper();
    for (const id of [1, 2, 3]) {
      brokers.set(
        id,
        await SkeinKafka.start({
          'broker.id': String(id),
          'zookeeper.connect': `${zkServer.connectString}${CHROOT}`,
          'zookeeper.session.timeout.ms': String(options.sessionMs),
          'replica.lag.time.max.ms': '3000',
          'replica.fetch.backoff.ms': '100',
          'replica.fetch.wait.max.ms': '200',
          'auto.leader.rebalance.enable': 'false',
          // One group partition, so one coordinator to kill; replicated on all three brokers (Kafka's default 3).
          'offsets.topic.num.partitions': '1',
          // The consumer that joins again after its coordinator moved is alone: no need to wait for others,
          // and the member it left behind expires after a short session.
          'group.initial.rebalance.delay.ms': '0',
          'group.min.session.timeout.ms': '2000',
        }),
      );
    }
    zk = await ZooKeeperClient.connect(`${zkServer.connectString}${CHROOT}`);
  });

  afterAll(async () => {
    await zk?.close();
    for (const b of brokers.values()) await b.destroy();
    await zkServer?.destroy();
  });

  test(`${options.rounds} rounds of ${options.title}`, async () => {
    const bootstrap = [...brokers.values()].map((b) => b.bootstrap);
    const kafka = new Kafka({ brokers: bootstrap, logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
    const admin = kafka.admin();
    await admin.connect();
    await until('three live brokers', async () => ((await admin.describeCluster().catch(() => undefined))?.brokers.length === 3 ? true : undefined));
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
    await until('the full ISR', async () => ((await state(TOPIC))?.isr.length === 3 ? true : undefined));

    // The consumer group: commits after each batch it consumed. Redelivery after a coordinator move is
    // expected (at least once).
    // kafkajs sends commits and heartbeats to the coordinator it joined through until it joins again,
    // which it does once they fail: few retries make that seconds after a coordinator moves, not half a
    // minute.
    const consumer: Consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 3000, heartbeatInterval: 300, retry: { retries: 4, initialRetryTime: 100, maxRetryTime: 500 } });
    const consumed = new Set<string>();
    let consumedEnd = 0;
    let commitAcked = 0;
    let deliveries = 0;
    await consumer.connect();
    // The highest commit the coordinator acknowledged: kafkajs emits this event only on its answer
    // (commitOffsets itself also resolves, unanswered, when the consumer stops or restarts meanwhile).
    consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
      for (const t of payload.topics) for (const p of t.partitions) commitAcked = Math.max(commitAcked, Number(p.offset));
    });
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (batch.messages.length === 0) return;
        for (const m of batch.messages) {
          consumed.add(m.value!.toString());
          deliveries++;
        }
        const end = Number(batch.messages.at(-1)!.offset) + 1;
        consumedEnd = Math.max(consumedEnd, end);
        // Not acknowledged when the coordinator moved: the next batch commits again.
        await consumer.commitOffsets([{ topic: TOPIC, partition: 0, offset: String(end) }]).catch(() => undefined);
      },
    });
    // The group's committed offset, read through any broker: never below a commit the coordinator
    // acknowledged before the read began, never beyond what was consumed.
    const checkCommitted = async (what: string): Promise<void> => {
      const floor = commitAcked;
      const committed = await until(`${what}: the committed offset`, async () => {
        const r = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] }).catch(() => undefined);
        const o = r?.[0]?.partitions.find((p) => p.partition === 0)?.offset;
        return o === undefined ? undefined : Number(o);
      });
      expect(committed, `${what}: committed offset went back`).toBeGreaterThanOrEqual(floor);
      expect(committed, `${what}: committed offset ahead of what was consumed`).toBeLessThanOrEqual(consumedEnd);
    };

    // kafkajs: one send at a time, so order per key is the order of the sends.
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const jsAcked: { key: string; seq: number; sentAt: number; ackedAt: number }[] = [];
    let stopping = false;
    let jsSeq = 0;
    const js = (async () => {
      while (!stopping) {
        const key = `j${jsSeq % 4}`;
        const seq = jsSeq++;
        const sentAt = Date.now();
        try {
          await producer.send({ topic: TOPIC, acks: -1, timeout: 5000, messages: [{ key, value: `${key}:${seq}` }] });
          jsAcked.push({ key, seq, sentAt, ackedAt: Date.now() });
        } catch {
          // Not acknowledged: it may or may not be in the log; only acknowledged records are checked.
        }
      }
    })();

    // librdkafka: a child process printing "ACK key seq" per delivery report without error.
    const py = startAckingProducer(bootstrap.join(','), TOPIC, ['p0', 'p1', 'p2', 'p3']);
    const pyAcked = py.acked;
    let pyExit = { code: null as number | null, stderr: 'not stopped' };

    const recoveries: number[] = [];
    let coordinatorMoves = 0;
    try {
      await until('both producers acknowledged and the group consuming', () => (jsAcked.length > 10 && pyAcked.length > 10 && commitAcked > 0 ? true : undefined));
      await fullIsrs('before the first round');
      for (let round = 0; round < options.rounds; round++) {
        const before = new Map<string, PartitionState>();
        for (const topic of [TOPIC, CONSUMER_OFFSETS_TOPIC]) before.set(topic, (await state(topic))!);
        const victimId = before.get(round % 2 === 0 ? TOPIC : CONSUMER_OFFSETS_TOPIC)!.leader;
        const victim = brokers.get(victimId)!;
        const jsBefore = jsAcked.length;
        const pyBefore = pyAcked.length;
        const deliveriesBefore = deliveries;
        const killedAt = Date.now();
        await victim.kill();
        for (const [topic, s] of before) {
          if (s.leader !== victimId) continue;
          if (topic === CONSUMER_OFFSETS_TOPIC) coordinatorMoves++;
          await until(`round ${round}: a new leader of ${topic}`, async () => {
            const now = await state(topic);
            return now && now.leader >= 0 && now.leader !== victimId && now.leaderEpoch > s.leaderEpoch ? true : undefined;
          });
        }
        await until(`round ${round}: writes acknowledged again`, () => (jsAcked.length > jsBefore + 3 && pyAcked.length > pyBefore + 3 ? true : undefined));
        await until(`round ${round}: the group consuming again`, () => (deliveries > deliveriesBefore + 3 ? true : undefined));
        const firstAfter = jsAcked.find((a) => a.sentAt > killedAt);
        if (firstAfter) recoveries.push(firstAfter.ackedAt - killedAt);
        await checkCommitted(`round ${round}`);
        await victim.launch();
        await fullIsrs(`round ${round}: broker ${victimId} back`);
      }
    } finally {
      stopping = true;
      await js;
      await producer.disconnect();
      pyExit = await py.stop();
    }
    expect(pyExit.code, pyExit.stderr).toBe(0);

    // Every acknowledged record consumed by the group (at least once), then the final commit checked.
    const wanted = [...jsAcked, ...pyAcked].map((a) => `${a.key}:${a.seq}`);
    await until('the group to consume every acknowledged record', () => (wanted.every((w) => consumed.has(w)) ? true : undefined), 60_000);
    await consumer.stop();
    await checkCommitted('at the end');
    await consumer.disconnect();
    await admin.disconnect();

    // Read the whole partition from its leader once the high watermark covers everything acknowledged.
    const conn = await KafkaConnection.connect(brokers.get((await state(TOPIC))!.leader)!.bootstrap);
    const positions = new Map<string, number>();
    try {
      await until('every acknowledged record readable', async () => {
        positions.clear();
        let offset = 0;
        let i = 0;
        for (;;) {
          const fetched = await fetchPartition(conn, TOPIC, 0, offset);
          if (fetched.headers.length === 0) break;
          for (const r of recordsOf(fetched, offset)) {
            const v = r.value!.toString();
            if (!positions.has(v)) positions.set(v, i);
            i++;
          }
          offset = fetched.nextOffset;
        }
        return wanted.every((w) => positions.has(w)) ? true : undefined;
      });
    } finally {
      conn.close();
    }
    for (const acked of [jsAcked, pyAcked]) {
      for (const a of acked) expect(positions.has(`${a.key}:${a.seq}`), `${a.key}:${a.seq} acknowledged but missing`).toBe(true);
      for (const key of new Set(acked.map((a) => a.key))) {
        const order = acked.filter((a) => a.key === key).sort((x, y) => x.seq - y.seq).map((a) => positions.get(`${key}:${a.seq}`)!);
        expect(order, `order of key ${key}`).toEqual([...order].sort((x, y) => x - y));
      }
    }
    if (options.rounds >= 2) expect(coordinatorMoves, 'rounds that moved the group coordinator').toBeGreaterThan(0);
    recoveries.sort((a, b) => a - b);
    console.log(
      `failover: ${options.rounds} rounds (${coordinatorMoves} moved the group coordinator), session ${options.sessionMs} ms; ` +
        `acknowledged kafkajs ${jsAcked.length}, librdkafka ${pyAcked.length}; consumed ${deliveries} deliveries of ${consumed.size} records, last commit ${commitAcked}; ` +
        `kill -9 to first acknowledged write sent after it: min ${recoveries[0]} ms, median ${recoveries[Math.floor(recoveries.length / 2)]} ms, max ${recoveries.at(-1)} ms`,
    );
  }, 600_000);
}
