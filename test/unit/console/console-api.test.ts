// The console API's validation, permission and failure answers, without a cluster: the console points
// at ports where nothing listens, so every request that passes validation ends in "cannot be reached"
// (503) and every one that does not is refused (4xx) before anything is sent.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { createConsole } from '../../../src/console/console-api.js';
import { LiveStreams, SUBSCRIBERS_MAX } from '../../../src/console/live-streams.js';
import { groupId, topicName, znodePath } from '../../../src/console/params.js';
import { startHttp, type RunningHttp } from '../../../src/http/http-listener.js';
import { createLogger } from '../../../src/logger.js';

/** A port nothing listens on: one that was just closed. */
async function closedPort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

const servers: RunningHttp[] = [];
let writable = '';
let readOnly = '';

async function consoleAt(ro: boolean): Promise<string> {
  const dead = await closedPort();
  const web = createConsole({ bootstrap: `127.0.0.1:${dead}`, zookeeperConnect: `127.0.0.1:${dead}`, readOnly: ro, loopbackOnly: true, log: createLogger('silent'), broker: undefined, zookeeper: undefined, dataDirs: [], startedAt: Date.now() });
  const http = await startHttp({ host: '127.0.0.1', port: 0, log: createLogger('silent') }, { registry: new Registry(), readiness: async () => [], console: web });
  servers.push(http);
  return `http://127.0.0.1:${http.port}`;
}

beforeAll(async () => {
  [writable, readOnly] = await Promise.all([consoleAt(false), consoleAt(true)]);
});
afterAll(() => Promise.all(servers.map((s) => s.close())));

async function call(base: string, path: string, init: RequestInit = {}): Promise<{ status: number; error: string | undefined }> {
  const res = await fetch(base + path, init);
  const body = (await res.json()) as { error?: string };
  return { status: res.status, error: body.error };
}
const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

test.each([
  ['/api/topics?limit=0', /limit must be an integer from 1 to 200/],
  ['/api/topics?page=-1', /page must be/],
  ['/api/topics?limit=1e3', /limit must be/],
  ['/api/topics/bad%20name', /not a valid topic name/],
  [`/api/topics/${'x'.repeat(250)}`, /not a valid topic name/],
  ['/api/topics/t/messages', /parameter partition is required/],
  ['/api/topics/t/messages?partition=0&offset=-5', /offset must be/],
  ['/api/topics/t/messages?partition=0&limit=100000', /limit must be/],
  ['/api/topics/t/messages?partition=0&timestamp=yesterday', /timestamp must be/],
  ['/api/topics/t/messages/value?partition=0', /parameter offset is required/],
  ['/api/zk/node?path=relative', /must start with \//],
  ['/api/zk/node?path=/a//b', /empty segment/],
  ['/api/zk/node?path=/a/../b', /relative segment/],
  ['/api/zk/node?path=/a&limit=501', /limit must be/],
  ['/api/events?stream=everything', /stream must be one of overview, rates, group/],
  ['/api/events?stream=group', /parameter group is required/],
  ['/api/topics/%E0%A4%A', /malformed percent-encoding/],
])('GET %s is refused with 400', async (path, message) => {
  const r = await call(writable, path);
  expect(r.status).toBe(400);
  expect(r.error).toMatch(message);
});

test.each([
  ['POST', '/api/topics/t/messages', { key: 'k' }, 400, /field value is required/],
  ['POST', '/api/topics/t/messages', { value: 'v', partition: 'one' }, 400, /partition must be an integer/],
  ['POST', '/api/topics/t/messages', { value: 'v', headers: [{ key: 1, value: 'x' }] }, 400, /field key must be a string/],
  ['POST', '/api/topics/t/messages', '{not json', 400, /not JSON/],
  ['POST', '/api/topics/t/messages', '[1]', 400, /must be a JSON object/],
  ['POST', '/api/groups/g/reset', { to: 'yesterday' }, 400, /to must be earliest, latest, offset or timestamp/],
  ['POST', '/api/groups/g/reset', { to: 'offset', offset: -1 }, 400, /offset must be/],
  ['POST', '/api/groups/g/reset', { to: 'latest', topics: ['ok', 'bad name'] }, 400, /not a valid topic name/],
  ['POST', '/api/zk/node', { path: 'nope' }, 400, /must start with/],
  ['PUT', '/api/zk/node', { path: '/a', data: 'x' }, 400, /version must be an integer/],
  ['PATCH', '/api/zk/node', { path: '/a' }, 405, /not an operation of the console/],
  ['PUT', '/api/topics/t/configs', { name: 'Retention Ms', value: '1' }, 400, /not a config name/],
  ['PUT', '/api/topics/t/configs', { name: 'retention.ms', value: 7 }, 400, /field value must be a string/],
])('%s %s %j is refused with %i', async (method, path, body, status, message) => {
  const r = await call(writable, path, json(method, body));
  expect(r.status).toBe(status);
  expect(r.error).toMatch(message);
});

test('a body that is not JSON, or larger than the limit, is refused before it is parsed', async () => {
  expect((await call(writable, '/api/zk/node', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415);
  const huge = JSON.stringify({ path: '/a', data: 'x'.repeat(4 * 1024 * 1024) });
  expect((await call(writable, '/api/zk/node', json('POST', huge))).status).toBe(413);
});

test('a read-only console refuses every change with 403 and says why, and still answers reads', async () => {
  for (const [method, path, body] of [
    ['POST', '/api/topics/t/messages', { value: 'v' }],
    ['POST', '/api/groups/g/reset', { to: 'earliest' }],
    ['POST', '/api/zk/node', { path: '/a' }],
    ['PUT', '/api/zk/node', { path: '/a', data: '', version: 0 }],
    ['PUT', '/api/topics/t/configs', { name: 'retention.ms', value: '1000' }],
  ] as const) {
    const r = await call(readOnly, path, json(method, body));
    expect(r.status).toBe(403);
    expect(r.error).toMatch(/read-only \(console.read.only=true\)/);
  }
  expect((await call(readOnly, '/api/zk/node?path=/a&version=0', { method: 'DELETE' })).status).toBe(403);
  expect(await call(readOnly, '/api/settings')).toEqual({ status: 200, error: undefined });
});

test('a request naming another host is refused (DNS rebinding), and a broker that cannot be reached is a 503 naming it', async () => {
  const port = new URL(writable).port;
  const { request } = await import('node:http');
  const status = await new Promise<number | undefined>((resolve, reject) =>
    request({ host: '127.0.0.1', port, path: '/api/overview', headers: { host: 'attacker.example' } }, (res) => (res.resume(), resolve(res.statusCode))).on('error', reject).end(),
  );
  expect(status).toBe(403);
  const r = await call(writable, '/api/overview');
  expect(r.status).toBe(503);
  expect(r.error).toMatch(/cannot be reached/);
  // A ZooKeeper that refuses the connection is as unreachable as a broker: 503, not an internal error.
  const z = await call(writable, '/api/zk/node?path=/');
  expect(z.status).toBe(503);
  expect(z.error).toMatch(/^ZooKeeper at 127\.0\.0\.1:\d+ cannot be reached/);
  expect((await call(writable, '/api/nothing-here')).status).toBe(404);
});

test('live streams: one sampler per stream however many subscribe, a bounded number of subscribers, nothing sampled once all left', async () => {
  let samples = 0;
  const streams = new LiveStreams(async () => ({ n: ++samples }), 20);
  const server = createServer((req, res) => {
    if (!streams.subscribe(req.url === '/other' ? 'other' : 'overview', res)) res.writeHead(429).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const { get } = await import('node:http');
  const subscribe = (path: string) =>
    new Promise<{ status: number | undefined; res: import('node:http').IncomingMessage }>((resolve, reject) => get({ host: '127.0.0.1', port, path }, (res) => resolve({ status: res.statusCode, res })).on('error', reject));
  const open = await Promise.all(Array.from({ length: SUBSCRIBERS_MAX }, () => subscribe('/')));
  expect(open.every((r) => r.status === 200)).toBe(true);
  expect((await subscribe('/other')).status).toBe(429);
  await new Promise<void>((resolve) => {
    let text = '';
    open[0]!.res.on('data', (d: Buffer) => (text += d.toString()).includes('event: sample') && resolve());
  });
  const before = samples;
  await new Promise((r) => setTimeout(r, 100));
  // Sixteen subscribers, one timer: about 100 / 20 samples, not sixteen times that.
  expect(samples - before).toBeLessThan(10);
  const closed = open.map((o) => new Promise((r) => o.res.once('close', r)));
  for (const o of open) o.res.destroy();
  await Promise.all(closed);
  await vi.waitFor(() => expect(streams.subscribers).toBe(0));
  const after = samples;
  await new Promise((r) => setTimeout(r, 80));
  expect(samples).toBe(after);
  streams.close();
  await new Promise((r) => server.close(r));
});

test('names and paths are checked as Kafka and ZooKeeper check them', () => {
  expect(topicName('orders.v1_x-2')).toBe('orders.v1_x-2');
  expect(() => topicName('..')).toThrow(/not a valid topic name/);
  expect(() => groupId('')).toThrow(/1 to 1024/);
  expect(znodePath('/')).toBe('/');
  expect(() => znodePath('/a/')).toThrow(/must not end with/);
  expect(() => znodePath('/a\u0001')).toThrow(/invalid character/);
});
