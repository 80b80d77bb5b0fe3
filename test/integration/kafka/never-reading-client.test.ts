// A client that pipelines Fetch requests for 64 MiB each and never reads a byte must not grow the broker:
// a real `skein kafka` process serves a 64 MiB topic while one raw socket sends 200 such fetches and
// never reads; the broker's RSS (from /proc) must stay under 512 MiB, and once the socket closes it must
// not grow again (no replies are built for the dead connection). The child is killed the moment it
// passes the bound, so a regression fails fast instead of eating the machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, encodeRequestFrame } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { FETCH_VERSION, fetchPartition } from '../../../src/kafka/client/consumer.js';
import { produceRecords } from '../../../src/kafka/client/producer.js';
import { ROOT } from '../../helpers/crash.js';
import { freePort } from '../../helpers/free-port.js';
import { connectWhenReady } from '../../helpers/kafka-ready.js';
import { sizePrefixed } from '../../helpers/raw-exchange.js';

const TOPIC = 'big';
const MIB = 1024 * 1024;
const TOPIC_BYTES = 64 * MIB;
const FETCHES = 200;
/** The bound the issue sets for this load. */
const RSS_LIMIT = 512 * MIB;
const WATCH_MS = 4_000;

let dir: string;
let child: ChildProcess;
let bootstrap: string;

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/**
 * Samples the child's RSS every 20 ms for `ms`; returns the peak. Kills the child and throws as soon as
 * it passes RSS_LIMIT.
 */
async function watchRss(ms: number): Promise<number> {
  let peak = 0;
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const rss = rssOf(child.pid!);
    peak = Math.max(peak, rss);
    if (rss > RSS_LIMIT) {
      child.kill('SIGKILL');
      throw new Error(`broker RSS reached ${(rss / MIB).toFixed(0)} MiB, over the ${RSS_LIMIT / MIB} MiB bound`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return peak;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skein-never-reads-'));
  const port = await freePort();
  bootstrap = `127.0.0.1:${port}`;
  const config = join(dir, 'server.properties');
  await writeFile(config, `listeners=PLAINTEXT://${bootstrap}\nlog.dirs=${join(dir, 'data')}\nnum.partitions=1\n`);
  child = spawn(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'kafka', '--config', config], {
    env: { ...process.env, SKEIN_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const conn = await connectWhenReady(bootstrap, TOPIC, { attempts: 600, gone: () => (child.exitCode !== null ? `exit code ${child.exitCode}` : undefined) });
  try {
    const value = Buffer.alloc(100_000, 'v');
    for (let written = 0; written < TOPIC_BYTES; written += 10 * value.length) {
      await produceRecords(conn, TOPIC, 0, Array.from({ length: 10 }, () => ({ value })));
    }
  } finally {
    conn.close();
  }
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

test(`${FETCHES} pipelined 64 MiB fetches from a client that never reads keep the broker under 512 MiB, and stop costing once it leaves`, async () => {
  const fetch = sizePrefixed(
    Buffer.concat(
      encodeRequestFrame(
        { apiKey: ApiKey.Fetch, apiVersion: FETCH_VERSION, correlationId: 1, clientId: 'never-reads' },
        {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: TOPIC_BYTES,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: TOPIC_BYTES }] }],
          forgottenTopicsData: [],
          rackId: '',
        },
      ),
    ),
  );
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(Number(bootstrap.split(':')[1]), '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
  socket.pause();
  socket.write(Buffer.concat(Array.from({ length: FETCHES }, () => fetch)));

  const whileConnected = await watchRss(WATCH_MS);
  expect(whileConnected).toBeLessThan(RSS_LIMIT);

  socket.destroy();
  const afterClose = await watchRss(WATCH_MS);
  // Nothing is built for the dead connection: memory does not climb past what the live one held.
  expect(afterClose).toBeLessThanOrEqual(whileConnected + 32 * MIB);

  // And the broker still serves a client that reads.
  const conn = await KafkaConnection.connect(bootstrap);
  try {
    const fetched = await fetchPartition(conn, TOPIC, 0, 0, { maxBytes: MIB, partitionMaxBytes: MIB });
    expect(fetched.batches.length).toBeGreaterThan(0);
  } finally {
    conn.close();
  }
}, 60_000);
