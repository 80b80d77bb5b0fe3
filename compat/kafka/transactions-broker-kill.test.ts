// The exactly-once loop across broker crashes: a confluent-kafka consume-transform-produce process from
// topic A to topic B runs while its only broker (transaction coordinator, partition leader and group
// coordinator in one) is killed with kill -9 and restarted, again and again. The broker must complete or
// abort every transaction it finds open or prepared (re-sending markers after recovery); the transform
// process, restarted when a failure ends it, resumes from the offsets the last committed transaction
// stored. B must hold every record of A exactly once.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { JsonLinesChild } from '../helpers/json-lines-child.js';
import type { SkeinKafka } from '../helpers/skein-process.js';
import { expectExactlyOnce, fillSource, startTransform, startTxnBroker } from './exactly-once.js';

const BROKER_KILLS = Number(process.env.TXN_BROKER_KILLS ?? 20);

let kafka: SkeinKafka;

beforeAll(async () => {
  kafka = await startTxnBroker();
});
afterAll(async () => {
  await JsonLinesChild.killAll();
  await kafka?.destroy();
});

test(`consume-transform-produce A -> B while the broker is killed with kill -9 ${BROKER_KILLS} times: B holds every record of A exactly once`, async () => {
  const partitions = 2;
  const count = 8_000;
  await fillSource(kafka.bootstrap, 'kb-a', 'kb-b', partitions, count);
  const start = () => startTransform(kafka.bootstrap, 'kb-a', 'kb-b', partitions, 'kb-transform');
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
  await expectExactlyOnce(kafka.bootstrap, 'kb-b', partitions, count);
}, 120_000);
