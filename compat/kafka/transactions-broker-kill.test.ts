// The exactly-once loop across broker crashes: a confluent-kafka consume-transform-produce process from
// topic A to topic B runs while its only broker (transaction coordinator, partition leader and group
// coordinator in one) is killed with kill -9 and restarted, again and again. The broker must complete or
// abort every transaction it finds open or prepared (re-sending markers after recovery); the transform
// process, restarted when a failure ends it, resumes from the offsets the last committed transaction
// stored. B must hold every record of A exactly once.
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PYTHON, runPythonJson } from '../helpers/commands.js';
import { JsonLinesChild } from '../helpers/json-lines-child.js';
import { createTopic } from '../helpers/kafka-admin.js';
import { SkeinKafka } from '../helpers/skein-process.js';

const DRIVER = new URL('confluent_transactions.py', import.meta.url);
const BROKER_KILLS = Number(process.env.TXN_BROKER_KILLS ?? 6);

let kafka: SkeinKafka;

beforeAll(async () => {
  kafka = await SkeinKafka.start({
    'offsets.topic.num.partitions': '2',
    'transaction.state.log.num.partitions': '2',
    'group.initial.rebalance.delay.ms': '0',
  });
});
afterAll(async () => {
  await JsonLinesChild.killAll();
  await kafka?.destroy();
});

test(`consume-transform-produce A -> B while the broker is killed with kill -9 ${BROKER_KILLS} times: B holds every record of A exactly once`, async () => {
  const partitions = 2;
  const count = 4_000;
  await createTopic(kafka.bootstrap, 'kb-a', partitions);
  await createTopic(kafka.bootstrap, 'kb-b', partitions);
  const client = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING });
  const source = client.producer();
  await source.connect();
  for (let i = 0; i < count; i += 500) {
    await source.send({ topic: 'kb-a', acks: -1, messages: Array.from({ length: 500 }, (_, j) => ({ value: `a${i + j}`, partition: (i + j) % partitions })) });
  }
  await source.disconnect();
  const args = JSON.stringify({ bootstrap: kafka.bootstrap, source: 'kb-a', sink: 'kb-b', partitions, group: 'kb-group', transactionalId: 'kb-transform' });
  const start = () => new JsonLinesChild('transform', PYTHON, [fileURLToPath(DRIVER), 'transform', args], { ...process.env, PYTHONDONTWRITEBYTECODE: '1' });
  let child = start();
  let killsMidStream = 0;
  for (let kill = 0; kill < BROKER_KILLS; kill++) {
    // A failure (a commit that could not complete while the broker was away) ends the process: start another.
    if (!child.running) child = start();
    await child.waitFor('ready', (e) => e.event === 'ready', 40_000);
    const before = child.all('committed').length;
    await child.waitFor('a commit', () => child.all('committed').length > before || child.all('done').length > 0, 40_000);
    await sleep(Math.random() * 80);
    if (child.all('done').length === 0) killsMidStream++;
    await kafka.kill();
    await kafka.launch();
  }
  if (!child.running || child.all('done').length > 0) {
    await child.kill();
    child = start();
  }
  await child.waitFor('done', (e) => e.event === 'done', 60_000);
  await child.kill();
  expect(killsMidStream).toBeGreaterThanOrEqual(Math.ceil(BROKER_KILLS / 2));
  const { values, complete } = await runPythonJson<{ values: string[]; complete: boolean }>(DRIVER, { mode: 'read', bootstrap: kafka.bootstrap, topic: 'kb-b', partitions });
  expect(complete).toBe(true);
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([v]) => v);
  const missing = Array.from({ length: count }, (_, i) => `Ta${i}`).filter((v) => !counts.has(v));
  expect({ duplicated: duplicated.slice(0, 10), missing: missing.slice(0, 10), total: values.length }).toEqual({ duplicated: [], missing: [], total: count });
}, 120_000);
