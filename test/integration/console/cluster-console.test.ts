// The console of a cluster's nodes, not only of `skein start`: a 3-broker dev-cluster on a 3-server
// ensemble with http.port set, so each `skein kafka` serves the console. Its overview lists every broker
// (role, state, uptime from the registration, disk use) and every ZooKeeper server (role, state, uptime),
// the controller and the quorum leader; a broker and a ZooKeeper server killed with -9 are shown not alive
// and down. The killed ZooKeeper member started again alone with `skein zookeeper --override http.port=0`
// serves a ZooKeeper-only console: its ensemble, its znodes, its sessions, and no Kafka pages.
// A broker's throughput chart sums every broker's traffic (each one's console counters, found through
// /skein/http/<id>): records produced to leaders on all three brokers are all counted, and with one broker
// killed the rates say they cover 2 of 3 brokers.
import { spawn, type ChildProcess } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startDevCluster, MAIN, type DevCluster } from '../../helpers/dev-cluster.js';

/** Short sessions: the killed broker's registration goes within seconds. */
const SESSION_TIMEOUT_MS = 4000;

interface Overview {
  controller: number | null;
  brokers: { id: number; role: string; state: string; uptimeMs: number | null; logBytes: number | null; diskTotalBytes: number | null; diskFreeBytes: number | null }[];
  zookeeper: { id: number | null; address: string; mode: string | null; state: string; uptimeMs: number | null; znodes: number | null; self: boolean }[];
  quorumLeader: { address: string; mode: string } | null;
  totals: Record<string, number | null>;
}

interface RatesSample {
  t: number;
  total: { bytesIn: number; bytesOut: number; messagesIn: number } | null;
  topics: Record<string, { bytesIn: number; bytesOut: number; messagesIn: number }>;
  coverage: { brokers: number; of: number; unreachable: number[] } | null;
}

let cluster: DevCluster;
let zkAlone: ChildProcess | undefined;
const closeStream = new AbortController();

/** The console address a `skein kafka` or `skein zookeeper` start line names, once it has printed it. */
async function httpOf(output: () => string, message: string, match: (line: Record<string, unknown>) => boolean): Promise<string> {
  for (let i = 0; ; i++) {
    const line = output()
      .split('\n')
      .filter((l) => l.includes(`"${message}"`))
      .map((l) => JSON.parse(l.slice(l.indexOf('{'))) as Record<string, unknown>)
      .find(match);
    if (line) return `http://${String(line.http)}`;
    if (i > 300) throw new Error(`no "${message}" line:\n${output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function get<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

/** The samples of a console's live stream, in order, each awaited as it arrives. */
async function* liveSamples<T>(url: string): AsyncGenerator<T> {
  const res = await fetch(url, { signal: closeStream.signal });
  expect(res.status).toBe(200);
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of res.body!) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (event.startsWith('event: sample\n')) yield JSON.parse(event.slice(event.indexOf('data: ') + 6)) as T;
    }
  }
}

/** The next sample that `ok` accepts, within `max` samples. */
async function sampleWhere<T>(live: AsyncGenerator<T>, ok: (s: T) => boolean, max: number): Promise<T> {
  for (let i = 0; i < max; i++) {
    const { value, done } = await live.next();
    if (done) break;
    if (ok(value)) return value;
  }
  throw new Error(`no such sample within ${max}`);
}

/** A console's overview; while it cannot answer yet (a 503 as the cluster forms), one with nothing in it, so the caller polls on. */
async function overviewAt(console: string): Promise<Overview> {
  const r = await get<Overview>(`${console}/api/overview`);
  return r.status === 200 ? r.body : { controller: null, brokers: [], zookeeper: [], quorumLeader: null, totals: {} };
}

beforeAll(async () => {
  cluster = await startDevCluster(3, ['http.port=0', `zookeeper.session.timeout.ms=${SESSION_TIMEOUT_MS}`], 3);
}, 90_000);

afterAll(async () => {
  closeStream.abort();
  if (zkAlone && zkAlone.exitCode === null) {
    const exited = new Promise((r) => zkAlone!.once('exit', r));
    zkAlone.kill('SIGTERM');
    await exited;
  }
  if (cluster) {
    await cluster.stop();
    cluster.remove();
  }
}, 90_000);

test('every broker and ZooKeeper server of the cluster is on a broker console, and killed ones are shown down', async () => {
  const console1 = await httpOf(cluster.output, 'skein kafka started', (l) => l.brokerId === 1);
  const overview = () => overviewAt(console1);
  let o = await overview();
  // Every broker registered and answering DescribeLogDirs; the ensemble formed with one leader.
  for (let i = 0; o.brokers.filter((b) => b.state === 'alive').length < 3 || o.quorumLeader === null; i++) {
    expect(i, JSON.stringify(o)).toBeLessThan(100);
    await new Promise((r) => setTimeout(r, 100));
    o = await overview();
  }
  expect(o.brokers.map((b) => b.id)).toEqual([1, 2, 3]);
  expect(o.brokers.filter((b) => b.role === 'controller').map((b) => b.id)).toEqual([o.controller]);
  for (const b of o.brokers) {
    expect(b.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(b.uptimeMs).toBeLessThan(5 * 60_000);
    expect(b.logBytes).toBeGreaterThanOrEqual(0);
    expect(b.diskTotalBytes).toBeGreaterThan(0);
    expect(b.diskFreeBytes).toBeGreaterThan(0);
  }
  expect(o.zookeeper.map((z) => z.address)).toEqual(cluster.zookeeper.split(','));
  expect(o.zookeeper.every((z) => z.state === 'serving' && z.uptimeMs! > 0 && z.znodes! > 0)).toBe(true);
  expect(o.zookeeper.map((z) => z.mode).sort()).toEqual(['follower', 'follower', 'leader']);
  expect(o.quorumLeader!.address).toBe(o.zookeeper.find((z) => z.mode === 'leader')!.address);
  // ZooKeeper's totals on a broker's console come from the leader: the three brokers' sessions at least.
  expect(o.totals.sessions).toBeGreaterThanOrEqual(3);
  expect(o.totals.znodes).toBeGreaterThan(0);

  // Records produced to one partition led by each broker: the topic list's rates on broker 1's console count them all.
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 50 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'spread', replicaAssignment: [1, 2, 3].map((b, partition) => ({ partition, replicas: [b] })) }], waitForLeaders: true });
  await admin.disconnect();
  const live = liveSamples<RatesSample>(`${console1}/api/events?stream=rates`);
  const baseline = await sampleWhere(live, (s) => s.total !== null && s.coverage?.brokers === 3, 10);
  expect(baseline.coverage).toEqual({ brokers: 3, of: 3, unreachable: [] });
  const producer = kafka.producer();
  await producer.connect();
  const RECORDS = 600;
  await producer.send({ topic: 'spread', acks: -1, messages: Array.from({ length: RECORDS }, (_, i) => ({ partition: i % 3, value: 'v'.repeat(100) })) });
  await producer.disconnect();
  // Rate × interval over the samples since, until one shows nothing more coming in: the records produced,
  // within what each broker's own sampling moment (it answers a moment after the console asks) shifts.
  let [messages, topicMessages, bytesIn, t] = [0, 0, 0, baseline.t];
  await sampleWhere(
    live,
    (s) => {
      expect(s.coverage).toEqual({ brokers: 3, of: 3, unreachable: [] });
      const seconds = (s.t - t) / 1000;
      t = s.t;
      messages += s.total!.messagesIn * seconds;
      bytesIn += s.total!.bytesIn * seconds;
      topicMessages += (s.topics.spread?.messagesIn ?? 0) * seconds;
      return messages > 0 && s.total!.messagesIn === 0;
    },
    10,
  );
  expect(messages).toBeGreaterThan(RECORDS * 0.8);
  expect(messages).toBeLessThan(RECORDS * 1.2);
  expect(topicMessages).toBeCloseTo(messages, 3);
  expect(bytesIn).toBeGreaterThan(RECORDS * 100 * 0.8);

  // A follower of the ensemble and a broker other than this console's go away.
  const follower = cluster.zookeepers.find((z) => o.zookeeper.find((s) => s.mode === 'follower' && s.address.endsWith(`:${z.port}`)))!;
  cluster.killZooKeeper(follower.id);
  cluster.kill(3);
  // Awaited after the overview shows broker 3 down: the rates left it out since it died, and say so.
  const twoOfThree = sampleWhere(live, (s) => s.coverage?.brokers === 2, 10);
  twoOfThree.catch(() => undefined);
  for (let i = 0; ; i++) {
    expect(i, JSON.stringify(o)).toBeLessThan(300);
    o = await overview();
    const zk = o.zookeeper.find((z) => z.address.endsWith(`:${follower.port}`));
    // Registered until its session expires (not answering meanwhile), then down; the others answering.
    const states = o.brokers.map((b) => `${b.id}:${b.state}`).join(' ');
    if (zk?.state === 'down' && states === '1:alive 2:alive 3:down') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(o.totals.brokers).toBe(2);
  expect((await twoOfThree).coverage).toEqual({ brokers: 2, of: 3, unreachable: [3] });
  closeStream.abort();

  // The killed member, started again alone with an HTTP listener: a ZooKeeper-only console.
  let out = '';
  zkAlone = spawn(process.execPath, [MAIN, 'zookeeper', '--config', follower.config, '--override', 'http.port=0'], { env: { ...process.env, SKEIN_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  zkAlone.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const zkConsole = await httpOf(() => out, 'skein zookeeper started', () => true);
  expect((await get(`${zkConsole}/api/settings`)).body).toEqual({ readOnly: false, principal: null, kafka: false, zookeeper: true, sessions: true });
  expect((await fetch(`${zkConsole}/`)).headers.get('content-type')).toMatch(/text\/html/);
  expect((await get<{ error: string }>(`${zkConsole}/api/topics`)).status).toBe(404);
  let z = await overviewAt(zkConsole);
  for (let i = 0; z.zookeeper.length === 0 || z.zookeeper.some((s) => s.state !== 'serving'); i++) {
    expect(i, JSON.stringify(z)).toBeLessThan(300);
    await new Promise((r) => setTimeout(r, 100));
    z = await overviewAt(zkConsole);
  }
  expect(z.brokers).toEqual([]);
  expect(z.zookeeper.map((s) => s.id)).toEqual([1, 2, 3]);
  expect(z.zookeeper.filter((s) => s.self).map((s) => s.id)).toEqual([follower.id]);
  expect(z.totals.znodes).toBeGreaterThan(0);
  const ids = (await get<{ children: { names: string[] } }>(`${zkConsole}/api/zk/node?path=/brokers/ids`)).body;
  expect(ids.children.names).toEqual(['1', '2']);
}, 120_000);
