// Three `skein kafka` processes on a `skein zookeeper` process, a topic with replication factor 3 and
// min.insync.replicas=2. kafkajs (in this process) and librdkafka (confluent-kafka-python) stream keyed
// acks=all records while the partition's leader is killed with SIGKILL and started again, round after
// round. Afterwards every acknowledged record is in the log, each key's acknowledged records in the order
// they were sent, and the time from each kill to the first acknowledged write sent after it is reported.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { decodePartitionState, partitionStatePath } from '../../protocol/kafka/zk/znodes.js';
import { KafkaConnection, fetchPartition, recordsOf } from '../../src/kafka/client/index.js';
import { ZooKeeperClient } from '../../src/zookeeper/client/client.js';
import { PYTHON } from '../helpers/commands.js';
import { SkeinKafka, SkeinZooKeeper } from '../helpers/skein-process.js';

const ROUNDS = Number(process.env.FAILOVER_ROUNDS ?? 20);
const TOPIC = 'failover';
const CHROOT = '/kafka';
const SESSION_MS = Number(process.env.FAILOVER_SESSION_MS ?? 1000);
const PRODUCER = fileURLToPath(new URL('failover_producer.py', import.meta.url));

let zkServer: SkeinZooKeeper;
let zk: ZooKeeperClient;
const brokers = new Map<number, SkeinKafka>();

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function state(): Promise<{ leader: number; leaderEpoch: number; isr: number[] } | undefined> {
  try {
    return decodePartitionState((await zk.getData(partitionStatePath(TOPIC, 0))).data);
  } catch {
    return undefined;
  }
}

function bootstrap(): string {
  return [...brokers.values()].map((b) => b.bootstrap).join(',');
}

beforeAll(async () => {
  zkServer = await SkeinZooKeeper.start();
  for (const id of [1, 2, 3]) {
    brokers.set(
      id,
      await SkeinKafka.start({
        'broker.id': String(id),
        'zookeeper.connect': `${zkServer.address}${CHROOT}`,
        'zookeeper.session.timeout.ms': String(SESSION_MS),
        'replica.lag.time.max.ms': '3000',
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

test(`${ROUNDS} rounds of kill -9 of the leader under kafkajs and librdkafka acks=all producers: no acknowledged record lost, order per key kept`, async () => {
  const kafka = new Kafka({ brokers: bootstrap().split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  const admin = kafka.admin();
  await admin.connect();
  await until('three live brokers', async () => ((await admin.describeCluster().catch(() => undefined))?.brokers.length === 3 ? true : undefined));
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
  await admin.disconnect();
  await until('the full ISR', async () => ((await state())?.isr.length === 3 ? true : undefined));

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
  const py = spawn(PYTHON, [PRODUCER, bootstrap(), TOPIC, 'p0,p1,p2,p3'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  const pyAcked: { key: string; seq: number }[] = [];
  let pyOut = '';
  let pyErr = '';
  py.stdout.on('data', (d: Buffer) => {
    pyOut += d.toString();
    const lines = pyOut.split('\n');
    pyOut = lines.pop()!;
    for (const line of lines) {
      const m = /^ACK (\S+) (\d+)$/.exec(line);
      if (m) pyAcked.push({ key: m[1]!, seq: Number(m[2]) });
    }
  });
  py.stderr.on('data', (d: Buffer) => (pyErr += d.toString()));
  const pyExit = new Promise<number | null>((r) => py.once('exit', (code) => r(code)));

  const recoveries: number[] = [];
  try {
    await until('both producers acknowledged', () => (jsAcked.length > 10 && pyAcked.length > 10 ? true : undefined));
    for (let round = 0; round < ROUNDS; round++) {
      const before = (await state())!;
      const victim = brokers.get(before.leader)!;
      const jsBefore = jsAcked.length;
      const pyBefore = pyAcked.length;
      const killedAt = Date.now();
      await victim.kill();
      await until(`round ${round}: a new leader`, async () => {
        const s = await state();
        return s && s.leader >= 0 && s.leader !== before.leader && s.leaderEpoch > before.leaderEpoch ? true : undefined;
      });
      await until(`round ${round}: writes acknowledged again`, () => (jsAcked.length > jsBefore + 3 && pyAcked.length > pyBefore + 3 ? true : undefined));
      const firstAfter = jsAcked.find((a) => a.sentAt > killedAt);
      if (firstAfter) recoveries.push(firstAfter.ackedAt - killedAt);
      await victim.launch();
      await until(`round ${round}: broker ${before.leader} back in the ISR`, async () => ((await state())?.isr.length === 3 ? true : undefined));
    }
  } finally {
    stopping = true;
    await js;
    await producer.disconnect();
    py.kill('SIGTERM');
  }
  expect(await pyExit, pyErr).toBe(0);

  // Read the whole partition from its leader once the high watermark covers everything acknowledged.
  const leader = (await state())!.leader;
  const conn = await KafkaConnection.connect(brokers.get(leader)!.bootstrap);
  const positions = new Map<string, number>();
  try {
    const wanted = [...jsAcked, ...pyAcked].map((a) => `${a.key}:${a.seq}`);
    await until('every acknowledged record readable', async () => {
      let offset = positions.size === 0 ? 0 : -1;
      if (offset === -1) return wanted.every((w) => positions.has(w)) ? true : (positions.clear(), undefined);
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
      return wanted.every((w) => positions.has(w)) ? true : (positions.clear(), undefined);
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
  recoveries.sort((a, b) => a - b);
  console.log(
    `failover: ${ROUNDS} rounds, session ${SESSION_MS} ms; acknowledged kafkajs ${jsAcked.length}, librdkafka ${pyAcked.length}; ` +
      `kill -9 to first acknowledged write sent after it: min ${recoveries[0]} ms, median ${recoveries[Math.floor(recoveries.length / 2)]} ms, max ${recoveries.at(-1)} ms`,
  );
}, 600_000);
