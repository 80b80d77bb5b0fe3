// The web console in a real browser (Debian's chromium driven by playwright-core) on a `skein start`
// node that real clients use: kafkajs produces records with keys and headers and consumes in a group,
// node-zookeeper-client creates a znode with an ACL, and the pages must show what they did: the
// overview's totals, the topic found by search, the known record's key/value/headers, a topic config
// edited on the page as kafkajs then describes it, the group's lag
// falling to zero on the live chart's stream as the consumer catches up, the znode's data and ACL, and a
// KIP-848 group described through ConsumerGroupDescribe.
// With SKEIN_SCREENSHOTS=DIR it saves each page as DIR/<page>.png (docs/console holds the committed ones).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import zookeeper from 'node-zookeeper-client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../protocol/kafka/index.js';
import { KafkaConnection } from '../../src/kafka/client/connection.js';
import { ZooKeeperClient, type Op } from '../../src/zookeeper/client/client.js';
import { SkeinNode } from '../../test/helpers/skein-cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = process.env.SKEIN_SCREENSHOTS;
const LAGGED = 30;
const HUGE = Buffer.alloc(100_000, 'x');
const BINARY_KEY = Buffer.from([0x00, 0xff, 0x10, 0x80]);
const KIDS = 250;
/** The bad input: a topic of thousands of partitions, a znode with 100,000 children, a group of 1,000 members. */
const WIDE_PARTITIONS = 3000;
const WIDE_CHILDREN = 100_000;
const CROWD = 1000;
/** Rows a page draws at once (the console's page size for partitions, children and members). */
const ROWS = 100;

let node: SkeinNode;
let browser: Browser;
let page: Page;
let base: string;
let kafka: Kafka;
let consumer: Consumer | undefined;

async function shot(name: string, fullPage = false): Promise<void> {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

/** Creates `path` and, in one multi, `kids` children under it. */
async function createZnode(connect: string, path: string, data: string, kids: number): Promise<void> {
  const client = zookeeper.createClient(connect);
  await new Promise<void>((resolve) => {
    client.once('connected', () => resolve());
    client.connect();
  });
  const acl = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('ip', '127.0.0.1')), new zookeeper.ACL(zookeeper.Permission.READ, new zookeeper.Id('world', 'anyone'))];
  await new Promise<void>((resolve, reject) => client.create(path, Buffer.from(data), acl, zookeeper.CreateMode.PERSISTENT, (err) => (err ? reject(err) : resolve())));
  const multi = client.transaction();
  for (let i = 0; i < kids; i++) multi.create(`${path}/kid-${String(i).padStart(4, '0')}`);
  await new Promise<void>((resolve, reject) => multi.commit((err) => (err ? reject(err) : resolve())));
  client.close();
}

beforeAll(async () => {
  // compat's global setup compiles the broker only; the front end comes from npm run build (npm ci runs it).
  if (!existsSync(join(ROOT, 'dist/console/index.html'))) await promisify(execFile)(join(ROOT, 'node_modules/.bin/vite'), ['build', '--config', 'console/vite.config.ts'], { cwd: ROOT });
  node = await SkeinNode.start({ 'group.initial.rebalance.delay.ms': '0' });
  const summary = node.startOutput.split('\n').find((l) => l.includes('"skein node started"'))!;
  base = `http://${(JSON.parse(summary) as { http: string }).http}`;
  kafka = new Kafka({ clientId: 'console-test', brokers: [node.kafka], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }, { topic: 'events', numPartitions: 1 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'orders', messages: [{ partition: 1, key: 'order-42', value: JSON.stringify({ id: 42, item: 'tea', qty: 3 }), headers: { source: 'compat', trace: 'abc-123' } }] });
  await producer.send({ topic: 'events', messages: Array.from({ length: LAGGED }, (_, i) => ({ value: `event ${i}` })) });
  // A value larger than the page shows, under a key that is not text.
  await producer.send({ topic: 'orders', messages: [{ partition: 2, key: BINARY_KEY, value: HUGE }] });
  await producer.disconnect();
  // The group starts at offset 0 of events: all LAGGED records behind, before any consumer runs.
  await admin.setOffsets({ groupId: 'watchers', topic: 'events', partitions: [{ partition: 0, offset: '0' }] });
  await admin.disconnect();
  await createZnode(node.zookeeper, '/console-test', '{"service":"billing","port":8080}', KIDS);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
});

afterAll(async () => {
  await consumer?.disconnect();
  await browser?.close();
  await node?.stop();
});

test('the overview shows the totals of what the clients made, and the throughput chart', async () => {
  await page.goto(`${base}/`);
  const total = (key: string) => page.locator(`[data-total="${key}"]`);
  await expect.poll(() => total('topics').textContent()).toBe('3'); // orders, events, and __consumer_offsets from setOffsets
  await expect.poll(() => total('partitions').textContent()).not.toBe('');
  const partitions = Number(await total('partitions').textContent());
  expect(partitions).toBeGreaterThanOrEqual(4);
  expect(await total('groups').textContent()).toBe('1');
  expect(await total('offline').textContent()).toBe('0');
  expect(await page.locator('figure.chart canvas').count()).toBe(1);
  // This node's broker and ZooKeeper server are the cluster's nodes, each with its role and state.
  expect(await page.locator('tr[data-broker="0"] [data-field="state"]').textContent()).toBe('alive');
  expect(await page.locator('tr[data-zookeeper] [data-field="state"]').allTextContents()).toEqual(['serving']);
  await shot('overview', true);
});

test('a topic is found by search, and the known record shows its key, JSON value and headers', async () => {
  await page.goto(`${base}/#/topics`);
  await page.getByLabel('Search topics').fill('ord');
  await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
  await shot('topics');
  await page.getByRole('link', { name: 'orders' }).click();
  await page.getByRole('heading', { name: 'Topic orders' }).waitFor();
  await page.getByRole('combobox', { name: 'Partition' }).selectOption('1');
  await page.getByRole('button', { name: 'Show messages' }).click();
  const record = page.locator('li[data-offset="0"]');
  await record.waitFor();
  expect(await record.locator('pre[data-field="key"]').textContent()).toBe('order-42');
  expect(JSON.parse((await record.locator('pre[data-field="value"]').textContent())!)).toEqual({ id: 42, item: 'tea', qty: 3 });
  // Detected as JSON, so pretty-printed.
  expect(await record.locator('pre[data-field="value"]').textContent()).toContain('\n  "item": "tea"');
  const headers = await record.locator('.headers').textContent();
  expect(headers).toContain('source: compat');
  expect(headers).toContain('trace: abc-123');
  await record.getByRole('radio', { name: 'hex' }).first().click();
  expect(await record.locator('pre[data-field="key"]').textContent()).toContain('6f 72 64 65 72 2d 34 32');
  await shot('topic');
});

test('a topic config edited on the page (with confirmation) is what kafkajs then describes', async () => {
  await page.getByLabel('show defaults').check();
  await page.getByRole('button', { name: 'edit retention.ms' }).click();
  await page.getByLabel('new value of retention.ms').fill('3600000');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('button', { name: 'Yes, save' }).click();
  const row = page.locator('tr', { has: page.getByRole('rowheader', { name: 'retention.ms', exact: true }) });
  await expect.poll(() => row.locator('td').nth(1).textContent()).toBe('DYNAMIC_TOPIC_CONFIG');
  const admin = kafka.admin();
  await admin.connect();
  const described = await admin.describeConfigs({ resources: [{ type: 2, name: 'orders', configNames: ['retention.ms'] }], includeSynonyms: false });
  await admin.disconnect();
  expect(described.resources[0]!.configEntries[0]!.configValue).toBe('3600000');
});

test("a group's lag falls to zero on the live page as a kafkajs consumer catches up", async () => {
  await page.goto(`${base}/#/groups/watchers`);
  const lag = page.locator('[data-field="total-lag"]');
  await expect.poll(() => lag.textContent(), { timeout: 10_000 }).toBe(String(LAGGED));
  consumer = kafka.consumer({ groupId: 'watchers' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'events' });
  let seen = 0;
  await consumer.run({ eachMessage: async () => void seen++ });
  // The page is not reloaded: the group's live stream brings the new lag.
  await expect.poll(() => lag.textContent(), { timeout: 30_000, interval: 250 }).toBe('0');
  expect(seen).toBe(LAGGED);
  expect(await page.locator('[data-field="state"]').textContent()).toBe('Stable');
  expect(await page.locator('[data-lag="events-0"]').textContent()).toBe('0');
  await shot('group');
});

test('a znode made by node-zookeeper-client shows its data, detected as JSON, and its ACL', async () => {
  await page.goto(`${base}/#/zookeeper?path=${encodeURIComponent('/console-test')}`);
  const data = page.locator('pre[data-field="znode-data"]');
  await data.waitFor();
  expect(JSON.parse((await data.textContent())!)).toEqual({ service: 'billing', port: 8080 });
  expect(await page.locator('tr[data-acl="ip:127.0.0.1"] td').last().textContent()).toBe('READ, WRITE, CREATE, DELETE, ADMIN');
  expect(await page.locator('tr[data-acl="world:anyone"] td').last().textContent()).toBe('READ');
  await shot('zookeeper');
});

test('a huge value comes as its first bytes with the whole one downloadable, a binary key intact, and children a page at a time', async () => {
  const get = async (path: string) => (await fetch(base + path)).json() as Promise<Record<string, unknown>>;
  const pageOf = (await get('/api/topics/orders/messages?partition=2&offset=0&limit=5')) as { records: { key: { base64: string }; value: { size: number; truncated: boolean; base64: string } }[] };
  const r = pageOf.records[0]!;
  expect(Buffer.from(r.key.base64, 'base64')).toEqual(BINARY_KEY);
  expect(r.value.size).toBe(HUGE.length);
  expect(r.value.truncated).toBe(true);
  expect(Buffer.from(r.value.base64, 'base64').length).toBe(8192);
  const download = await fetch(`${base}/api/topics/orders/messages/value?partition=2&offset=0`);
  expect(download.headers.get('content-disposition')).toMatch(/attachment/);
  expect(Buffer.from(await download.arrayBuffer())).toEqual(HUGE);
  const kids = (await get('/api/zk/node?path=/console-test&page=2&limit=100')) as { children: { total: number; names: string[] } };
  expect(kids.children.total).toBe(KIDS);
  expect(kids.children.names).toEqual(Array.from({ length: 50 }, (_, i) => `kid-${String(200 + i).padStart(4, '0')}`));
});

test('a KIP-848 group is described by ConsumerGroupDescribe: its protocol, member and assignment by topic name', async () => {
  const conn = await KafkaConnection.connect(node.kafka, { clientId: 'kip848-member' });
  try {
    const heartbeat = () =>
      conn.send(ApiKey.ConsumerGroupHeartbeat, 1, { groupId: 'kip848', memberId: 'member-1', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['events'], topicPartitions: [] });
    await expect.poll(async () => (await heartbeat()).errorCode, { timeout: 10_000 }).toBe(ErrorCode.NONE);
    const group = (await (await fetch(`${base}/api/groups/kip848`)).json()) as { type: string; protocol: string; members: { memberId: string; assignment: unknown }[] };
    expect(group.type).toBe('consumer');
    expect(group.protocol).toBe('uniform');
    expect(group.members).toMatchObject([{ memberId: 'member-1', assignment: [{ topic: 'events', partitions: [0] }] }]);
  } finally {
    conn.close();
  }
});

/** Milliseconds `ready` takes after the page is opened at `hash`. */
async function timeToShow(hash: string, ready: () => Promise<unknown>): Promise<number> {
  const start = Date.now();
  await page.goto(`${base}/${hash}`);
  await ready();
  return Date.now() - start;
}

test('keyboard and labels: every control has a name, the skip link comes first and moves focus to the page heading', async () => {
  for (const hash of ['#/', '#/topics/orders', '#/groups/watchers', `#/zookeeper?path=${encodeURIComponent('/console-test')}`]) {
    // A fresh load each (a hash change alone keeps focus where it was): the first Tab then starts at the top.
    await page.goto('about:blank');
    await page.goto(`${base}/${hash}`);
    await page.locator('main section').first().waitFor();
    // What a screen reader would announce for each control: its label, aria-label or text; none may be empty.
    const unnamed = await page.evaluate<string[]>(`
      [...document.querySelectorAll('input, select, textarea, button, a[href], [role="img"]')]
        .filter((el) => !(el.getAttribute('aria-label') ?? (el.labels && el.labels.length > 0 ? el.labels[0].textContent : el.textContent))?.trim())
        .map((el) => el.outerHTML.slice(0, 100))
    `);
    expect(unnamed, hash).toEqual([]);
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent.trim()'), hash).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('document.activeElement.tagName'), hash).toBe('H1');
  }
});

test("a ZooKeeper server's console (settings without Kafka) offers only the overview and the znode pages", async () => {
  const settings = `${base}/api/settings`;
  await page.route(settings, (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ readOnly: false, principal: null, kafka: false, zookeeper: true, sessions: true }) }));
  try {
    await page.goto('about:blank');
    await page.goto(`${base}/`);
    const nav = page.getByRole('navigation', { name: 'sections' });
    await expect.poll(() => nav.getByRole('link').allTextContents()).toEqual(['Overview', 'ZooKeeper']);
    await page.locator('[data-total="znodes"]').waitFor();
    expect(await page.locator('[data-total]').evaluateAll((els) => els.map((e) => e.getAttribute('data-total')))).toEqual(['sessions', 'znodes', 'watches']);
    expect(await page.locator('figure.chart').count()).toBe(0);
  } finally {
    await page.unroute(settings);
  }
});

test('the node going away while a page is open: the page says so, and recovers when the node is back', async () => {
  await consumer?.disconnect();
  consumer = undefined;
  await page.goto(`${base}/`);
  const topics = page.locator('[data-total="topics"]');
  await expect.poll(() => topics.textContent()).toMatch(/^\d+$/);
  const before = await topics.textContent();
  const problem = page.locator('.problem');
  const stopped = node.exit();
  await expect.poll(() => problem.textContent(), { timeout: 20_000 }).toMatch(/cannot be reached/);
  await stopped;
  // The same ports and data: the live stream reconnects by itself, without a reload.
  node = await node.restart();
  await expect.poll(() => problem.count(), { timeout: 30_000 }).toBe(0);
  await expect.poll(() => topics.textContent(), { timeout: 10_000 }).toBe(before);
});

/**
 * Answers the console's `path` in this page with `body` (the API's own shape), a live stream with it as
 * its history: the page's handling of a huge answer is what is tested, without making the broker build
 * 3,000 partitions or take 1,000 members (tens of seconds of CI; the broker's side of such answers is
 * its own tests').
 */
async function serve(path: string, body: unknown, stream?: string): Promise<void> {
  await page.route(`${base}${path}`, (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(body) }));
  if (stream !== undefined) {
    const history = `retry: 600000\nevent: history\ndata: [${JSON.stringify({ t: Date.now(), ...(body as object) })}]\n\n`;
    await page.route(`${base}/api/events?${stream}`, (route) => route.fulfill({ contentType: 'text/event-stream', body: history }));
  }
}

test('a topic of 3,000 partitions shows them 100 at a time and says how many there are', async () => {
  const partitions = Array.from({ length: WIDE_PARTITIONS }, (_, p) => ({ partition: p, leader: 0, leaderEpoch: 0, replicas: [0], isr: [0], offline: [], earliest: 0, latest: p, sizeBytes: 0 }));
  await serve('/api/topics/wide', { name: 'wide', internal: false, partitions, configs: [], may: { describeConfigs: false, read: true, write: false, alterConfigs: false } });
  const ms = await timeToShow('#/topics/wide', () => page.getByRole('heading', { name: `Partitions (${WIDE_PARTITIONS.toLocaleString('en')})` }).waitFor());
  const rows = page.locator('section[aria-labelledby^="h-partitions"] tbody tr');
  expect(await rows.count()).toBe(ROWS);
  const pager = page.getByRole('navigation', { name: 'partition pages' });
  expect(await pager.textContent()).toContain(`page 1 of ${WIDE_PARTITIONS / ROWS}`);
  await pager.getByRole('button', { name: 'Next →' }).click();
  await expect.poll(() => rows.first().locator('th').textContent()).toBe(String(ROWS));
  // The message browser takes a partition number instead of a list of 3,000.
  expect(await page.getByRole('spinbutton', { name: 'Partition' }).getAttribute('max')).toBe(String(WIDE_PARTITIONS - 1));
  console.log(`console: topic of ${WIDE_PARTITIONS} partitions shown in ${ms} ms`);
});

test('a group of 1,000 members shows them 100 at a time, from its live stream', async () => {
  const members = Array.from({ length: CROWD }, (_, i) => ({ memberId: `crowd-${i}`, clientId: 'crowd', host: '/127.0.0.1', assignment: [{ topic: 'events', partitions: [i] }] }));
  const group = { groupId: 'crowd', type: 'consumer', state: 'Stable', protocol: 'uniform', members, totalLag: 0, partitions: [], may: { resetOffsets: false } };
  await serve('/api/groups/crowd', group, 'stream=group&group=crowd');
  const ms = await timeToShow('#/groups/crowd', () => page.getByRole('heading', { name: `Members (${CROWD.toLocaleString('en')})` }).waitFor());
  expect(await page.locator('section[aria-labelledby^="h-members"] tbody tr').count()).toBe(ROWS);
  expect(await page.getByRole('navigation', { name: 'member pages' }).textContent()).toContain(`page 1 of ${CROWD / ROWS}`);
  console.log(`console: group of ${CROWD} members shown in ${ms} ms`);
});

test('a znode with 100,000 children shows a page of them and their number', async () => {
  let built = Date.now();
  const client = await ZooKeeperClient.connect(node.zookeeper);
  try {
    await client.create('/wide', Buffer.from('many'));
    // Ten multis of 10,000 creates, each well under jute.maxbuffer, pipelined on the one session.
    const batch = (from: number): Op[] => Array.from({ length: 10_000 }, (_, i) => ({ op: 'create', path: `/wide/c-${String(from + i).padStart(6, '0')}`, data: null }));
    await Promise.all(Array.from({ length: WIDE_CHILDREN / 10_000 }, (_, k) => client.multi(batch(k * 10_000))));
  } finally {
    await client.close();
  }
  built = Date.now() - built;
  const ms = await timeToShow(`#/zookeeper?path=${encodeURIComponent('/wide')}`, () => page.getByRole('heading', { name: `Children (${WIDE_CHILDREN.toLocaleString('en')})` }).waitFor());
  const children = page.locator('ul.children li');
  expect(await children.count()).toBe(ROWS);
  // By keyboard: the pager's button takes Enter.
  await page.getByRole('navigation', { name: 'pages' }).getByRole('button', { name: 'Next →' }).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => children.first().textContent()).toBe(`c-${String(ROWS).padStart(6, '0')}`);
  console.log(`console: znode with ${WIDE_CHILDREN} children made in ${built} ms, shown in ${ms} ms`);
});
