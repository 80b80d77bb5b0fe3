// What the exactly-once compat tests share: a broker with small internal topics, a source topic filled
// with "a0".."a<n-1>", the confluent-kafka consume-transform-produce process (confluent_transactions.py
// transform) from it to a sink, and the check that the sink holds every source record exactly once.
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { expect } from 'vitest';
import { PYTHON, runPythonJson } from '../helpers/commands.js';
import { JsonLinesChild } from '../helpers/json-lines-child.js';
import { createTopic } from '../helpers/kafka-admin.js';
import { SkeinKafka } from '../helpers/skein-process.js';

export const TXN_DRIVER = new URL('confluent_transactions.py', import.meta.url);

export function startTxnBroker(): Promise<SkeinKafka> {
  return SkeinKafka.start({
    'offsets.topic.num.partitions': '2',
    'transaction.state.log.num.partitions': '2',
    'group.initial.rebalance.delay.ms': '0',
  });
}

/** Creates `source` and `sink` with `partitions` each and writes "a0".."a<count-1>" round-robin to the source. */
export async function fillSource(bootstrap: string, source: string, sink: string, partitions: number, count: number): Promise<void> {
  await createTopic(bootstrap, source, partitions);
  await createTopic(bootstrap, sink, partitions);
  const producer = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    for (let i = 0; i < count; i += 500) {
      const n = Math.min(500, count - i);
      await producer.send({ topic: source, acks: -1, messages: Array.from({ length: n }, (_, j) => ({ value: `a${i + j}`, partition: (i + j) % partitions })) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Starts one transform process; each start of the same `transactionalId` fences the one before. */
export function startTransform(bootstrap: string, source: string, sink: string, partitions: number, transactionalId: string): JsonLinesChild {
  const args = JSON.stringify({ bootstrap, source, sink, partitions, group: `${transactionalId}-group`, transactionalId });
  return new JsonLinesChild('transform', PYTHON, [fileURLToPath(TXN_DRIVER), 'transform', args], { ...process.env, PYTHONDONTWRITEBYTECODE: '1' });
}

/** Every value a read_committed consumer sees in `topic`, each partition read to its end. */
export function readCommitted(bootstrap: string, topic: string, partitions: number): Promise<{ values: string[]; complete: boolean }> {
  return runPythonJson(TXN_DRIVER, { mode: 'read', bootstrap, topic, partitions });
}

/** The sink holds "Ta0".."Ta<count-1>", each once, as a read_committed reader sees it. */
export async function expectExactlyOnce(bootstrap: string, sink: string, partitions: number, count: number): Promise<void> {
  const { values, complete } = await readCommitted(bootstrap, sink, partitions);
  expect(complete).toBe(true);
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([v]) => v);
  const missing = Array.from({ length: count }, (_, i) => `Ta${i}`).filter((v) => !counts.has(v));
  expect({ duplicated: duplicated.slice(0, 10), missing: missing.slice(0, 10), total: values.length }).toEqual({ duplicated: [], missing: [], total: count });
}
