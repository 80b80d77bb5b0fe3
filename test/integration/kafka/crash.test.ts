// Crash safety through the network and the handlers: a real `skein kafka` process takes acks=all
// produces from several concurrent producers here, and is killed with SIGKILL at random moments over
// several rounds on the same data directory. After every restart each acknowledged record must be at
// the offset it was acknowledged with, once, in order; records never acknowledged may or may not be there.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { fetchPartition, recordsOf } from '../../../src/kafka/client/consumer.js';
import { produceRecords } from '../../../src/kafka/client/producer.js';
import { CRASH_SEED, ROOT, seededRandom } from '../../helpers/crash.js';
import { freePort } from '../../helpers/free-port.js';
import { connectWhenReady } from '../../helpers/kafka-ready.js';

const ROUNDS = 5;
const PRODUCERS = 4;
const PARTITIONS = 2;
const TOPIC = 'crash';

/** connectWhenReady for a broker whose exit this test learns of through a promise. */
function connectWhenReadyOrExited(bootstrap: string, exited: Promise<string>): Promise<KafkaConnection> {
  let dead: string | undefined;
  void exited.then((why) => (dead = why));
  return connectWhenReady(bootstrap, TOPIC, { gone: () => dead });
}

const random = seededRandom(CRASH_SEED);

async function startBroker(config: string): Promise<{ child: ChildProcess; exited: Promise<string> }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'kafka', '--config', config], {
    env: { ...process.env, SKEIN_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(`${signal ?? code}: ${stderr}`)));
  return { child, exited };
}

interface Ack {
  partition: number;
  offset: number;
  id: number;
}

/** Produces small batches (1-3 records, ids ascending) until the connection breaks; records every ack. */
async function producerLoop(conn: KafkaConnection, nextId: () => number, acks: Ack[], index: number): Promise<void> {
  for (let n = 0; ; n++) {
    const partition = (index + n) % PARTITIONS;
    const ids = Array.from({ length: 1 + ((index + n) % 3) }, nextId);
    let baseOffset: number;
    try {
      ({ baseOffset } = await produceRecords(conn, TOPIC, partition, ids.map((id) => ({ value: Buffer.from(`id:${id}:${'x'.repeat(id % 700)}`) }))));
    } catch {
      return;
    }
    ids.forEach((id, i) => acks.push({ partition, offset: baseOffset + i, id }));
  }
}

/** Reads every partition back and checks each acknowledged record is where it was acknowledged, once. */
async function verify(conn: KafkaConnection, acks: readonly Ack[]): Promise<number> {
  const seen = new Map<number, { partition: number; offset: number }>();
  let records = 0;
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const byOffset = new Map<number, number>();
    let offset = 0;
    for (;;) {
      const fetched = await fetchPartition(conn, TOPIC, partition, offset, { partitionMaxBytes: 1 << 20 });
      for (const r of recordsOf(fetched, offset)) {
        expect(r.offset).toBe(byOffset.size);
        const id = Number(/^id:(\d+):/.exec(r.value!.toString())![1]);
        if (seen.has(id)) throw new Error(`record ${id} is stored twice`);
        seen.set(id, { partition, offset: r.offset });
        byOffset.set(r.offset, id);
      }
      if (fetched.nextOffset >= fetched.highWatermark) break;
      offset = fetched.nextOffset;
    }
    records += byOffset.size;
  }
  for (const ack of acks) {
    const at = seen.get(ack.id);
    if (!at) throw new Error(`acknowledged record ${ack.id} (partition ${ack.partition} offset ${ack.offset}) is missing`);
    if (at.partition !== ack.partition || at.offset !== ack.offset) {
      throw new Error(`acknowledged record ${ack.id} was at ${ack.partition}/${ack.offset}, is at ${at.partition}/${at.offset}`);
    }
  }
  return records;
}

describe(`kafka broker crash safety (seed ${CRASH_SEED})`, () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skein-kafka-crash-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged acks=all record across repeated kill -9', async () => {
    const port = await freePort();
    const bootstrap = `127.0.0.1:${port}`;
    const config = join(dir, 'server.properties');
    await writeFile(
      config,
      [`listeners=PLAINTEXT://${bootstrap}`, `log.dirs=${join(dir, 'data')}`, `num.partitions=${PARTITIONS}`, 'log.segment.bytes=65536', 'log.index.interval.bytes=1024'].join('\n'),
    );
    const acks: Ack[] = [];
    let id = 0;
    const nextId = (): number => ++id;
    let stored = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { child, exited } = await startBroker(config);
      const conn = await connectWhenReadyOrExited(bootstrap, exited);
      stored = await verify(conn, acks);
      const conns = [conn, ...(await Promise.all(Array.from({ length: PRODUCERS - 1 }, () => KafkaConnection.connect(bootstrap))))];
      const loops = conns.map((c, i) => producerLoop(c, nextId, acks, i));
      await new Promise((r) => setTimeout(r, 150 + random(600)));
      child.kill('SIGKILL');
      expect(await exited).toMatch(/^SIGKILL/);
      await Promise.all(loops);
      for (const c of conns) c.close();
    }
    const { child, exited } = await startBroker(config);
    const conn = await connectWhenReadyOrExited(bootstrap, exited);
    try {
      stored = await verify(conn, acks);
    } finally {
      conn.close();
      child.kill('SIGTERM');
      await exited;
    }
    // The rounds must have exercised something.
    expect(acks.length).toBeGreaterThan(ROUNDS * 10);
    expect(stored).toBeGreaterThanOrEqual(acks.length);
  }, 120_000);
});
