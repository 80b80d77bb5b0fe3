// A real `skein kafka` under `ulimit -n 512`: the partition limit it derives from the open-file limit
// refuses a CreateTopics for thousands of partitions (which would otherwise use up the descriptors and
// fail unrelated partitions with EMFILE), and a flood of connections past the descriptor limit costs
// only the connections that did not fit: the broker keeps serving and shuts down cleanly.
import { connect, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { kafkaRequest } from '../../helpers/kafka-request.js';
import { SkeinKafka } from '../../helpers/skein-process.js';

const OPEN_FILES = 512;
/** (512 - 64 reserved - 224 for connections) / 5 files per partition. */
const DERIVED_LIMIT = 44;
const FLOOD = 700;

let kafka: SkeinKafka;

beforeAll(async () => {
  kafka = await SkeinKafka.start({ 'offsets.topic.num.partitions': '3' }, undefined, OPEN_FILES);
});
afterAll(async () => {
  await kafka?.destroy();
});

async function produceOne(value: string): Promise<void> {
  const producer = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } }).producer();
  await producer.connect();
  try {
    const [sent] = await producer.send({ topic: 'small', messages: [{ partition: 2, value }] });
    expect(sent!.errorCode).toBe(0);
  } finally {
    await producer.disconnect();
  }
}

test('a CreateTopics for 7000 partitions is refused by the derived limit and the broker stays healthy', async () => {
  const small = await kafkaRequest(kafka.bootstrap, ApiKey.CreateTopics, 5, { topics: [{ name: 'small', numPartitions: 4, replicationFactor: 1 }], timeoutMs: 10_000 });
  expect(small.topics[0]!.errorCode).toBe(0);
  await produceOne('before');

  const big = await kafkaRequest(kafka.bootstrap, ApiKey.CreateTopics, 5, { topics: [{ name: 'big', numPartitions: 7000, replicationFactor: 1 }], timeoutMs: 30_000 });
  expect(big.topics[0]).toMatchObject({ errorCode: ErrorCode.POLICY_VIOLATION });
  expect(big.topics[0]!.errorMessage).toBe(
    `Adding 7000 partitions would bring this broker to 7004 partitions, above its limit of ${DERIVED_LIMIT} ` +
      `(derived from the open-file limit of ${OPEN_FILES} and max.connections=10000; max.broker.partitions sets it).`,
  );
  const metadata = await kafkaRequest(kafka.bootstrap, ApiKey.Metadata, 9, { topics: null, allowAutoTopicCreation: false });
  expect(metadata.topics.map((t) => t.name)).toEqual(['small']);
  await produceOne('after');
  expect(kafka.log).not.toContain('EMFILE');
});

test('connections past the descriptor limit are dropped, not fatal: the broker serves on and stops cleanly', async () => {
  const sockets: Socket[] = [];
  let dropped = 0;
  for (let i = 0; i < FLOOD; i++) {
    const socket = connect({ host: '127.0.0.1', port: kafka.port });
    socket.on('error', () => undefined);
    socket.once('close', () => dropped++);
    sockets.push(socket);
  }
  // The broker has descriptors for about 450 of them; libuv closes the ones it cannot accept.
  const deadline = Date.now() + 20_000;
  while (dropped < FLOOD - OPEN_FILES) {
    if (Date.now() > deadline) throw new Error(`only ${dropped} of ${FLOOD} connections were dropped:\n${kafka.log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const s of sockets) s.destroy();
  await produceOne('after the flood');
  const exit = kafka.exited();
  await kafka.stop();
  expect(await exit).toBe(0);
  expect(kafka.log).toContain('"msg":"partition log closed"');
  expect(kafka.log).not.toMatch(/partition log failed|"level":50/);
}, 60_000);
