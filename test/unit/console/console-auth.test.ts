// The console's login and authorization, without a cluster: the console points at ports where nothing
// listens, so a request that passes the login and the authorizer ends in "cannot be reached" (503), and
// one that does not is answered 401, 403 or 429 before anything is sent.
import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createConsole } from '../../../src/console/console-api.js';
import type { ConsoleSecurity } from '../../../src/console/console-auth.js';
import { startHttp, type RunningHttp } from '../../../src/http/http-listener.js';
import { Authorizer } from '../../../src/kafka/acl/authorizer.js';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../../../src/kafka/acl/model.js';
import { AuthFailureLimit, MAX_FAILURES_PER_ADDRESS } from '../../../src/kafka/sasl/failure-limit.js';
import { PlainMechanism } from '../../../src/kafka/sasl/plain.js';
import { credentialFromSalted, MIN_ITERATIONS, saltedPassword, type ScramCredential } from '../../../src/kafka/sasl/scram.js';
import { SCRAM_LOGIN_CACHE_MS, SCRAM_LOGINS_MAX, ScramLoginCache } from '../../../src/console/console-auth.js';
import { createLogger } from '../../../src/logger.js';
import { freePort } from '../../helpers/free-port.js';

const salt = randomBytes(16);
const bobCredential: ScramCredential = credentialFromSalted('SCRAM-SHA-256', saltedPassword('SCRAM-SHA-256', 'bob-secret', salt, MIN_ITERATIONS), salt, MIN_ITERATIONS);

function security(): ConsoleSecurity {
  const authorizer = new Authorizer({ superUsers: new Set(['User:admin']), allowIfNoAcl: false });
  const allow = (resourceType: typeof ResourceType.TOPIC | typeof ResourceType.GROUP, name: string, principal: string, ...ops: AclOperation[]) =>
    authorizer.setEntries(
      { resourceType, name, patternType: PatternType.LITERAL },
      ops.map((operation) => ({ principal, host: '*', operation, permission: PermissionType.ALLOW })),
    );
  allow(ResourceType.TOPIC, 'orders', 'User:alice', AclOperation.READ, AclOperation.DESCRIBE_CONFIGS);
  allow(ResourceType.GROUP, 'billing', 'User:alice', AclOperation.DESCRIBE);
  allow(ResourceType.TOPIC, 'events', 'User:bob', AclOperation.WRITE);
  return {
    plain: [new PlainMechanism(new Map([['alice', 'alice-secret'], ['admin', 'admin-secret']]))],
    scram: async (user, mechanism) => (user === 'bob' && mechanism === 'SCRAM-SHA-256' ? bobCredential : undefined),
    authorizer,
    failures: new AuthFailureLimit(),
  };
}

const servers: RunningHttp[] = [];
let base = '';

async function securedConsole(secured = security()): Promise<string> {
  // A port nothing listens on: free a moment ago.
  const dead = await freePort();
  const web = createConsole({ bootstrap: `127.0.0.1:${dead}`, zookeeperConnect: `127.0.0.1:${dead}`, readOnly: false, security: secured, loopbackOnly: true, log: createLogger('silent'), broker: undefined, zookeeper: undefined, dataDirs: [], startedAt: Date.now() });
  const http = await startHttp({ host: '127.0.0.1', port: 0, log: createLogger('silent') }, { registry: new Registry(), readiness: async () => [], console: web });
  servers.push(http);
  return `http://127.0.0.1:${http.port}`;
}

beforeAll(async () => {
  base = await securedConsole();
});
afterAll(() => Promise.all(servers.map((s) => s.close())));

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ALICE = basic('alice', 'alice-secret');
const BOB = basic('bob', 'bob-secret');
const ADMIN = basic('admin', 'admin-secret');

async function call(path: string, authorization: string | undefined, method = 'GET', body?: unknown, at = base) {
  const headers: Record<string, string> = { ...(authorization ? { authorization } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  const res = await fetch(at + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

test('without valid credentials every path, the page included, is a 401 asking for Basic, with one message for every refusal', async () => {
  for (const path of ['/', '/api/settings', '/api/topics']) {
    const r = await call(path, undefined);
    expect(r.status).toBe(401);
    expect(r.challenge).toBe('Basic realm="Skein console", charset="UTF-8"');
  }
  for (const wrong of [basic('alice', 'nope'), basic('nobody', 'alice-secret'), basic('bob', 'alice-secret'), 'Basic !!!', 'Bearer abc', basic('alice', '')]) {
    const r = await call('/api/settings', wrong);
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid user name or password');
  }
});

test('PLAIN users from the JAAS entry and SCRAM users from the credential store log in as User:<name>', async () => {
  expect((await call('/api/settings', ALICE)).body).toEqual({ readOnly: false, principal: 'User:alice', kafka: true, zookeeper: false, sessions: false });
  expect((await call('/api/settings', BOB)).body).toEqual({ readOnly: false, principal: 'User:bob', kafka: true, zookeeper: false, sessions: false });
  expect((await call('/api/settings', ADMIN)).body).toEqual({ readOnly: false, principal: 'User:admin', kafka: true, zookeeper: true, sessions: false });
});

test.each([
  // [who, method, path, status, body]: 503 = allowed, so the console went on to ask its (absent) broker.
  ['alice', 'GET', '/api/topics/orders', 503, undefined],
  ['alice', 'GET', '/api/topics/orders/messages?partition=0', 503, undefined],
  ['alice', 'GET', '/api/topics/orders/messages/value?partition=0&offset=0', 503, undefined],
  ['alice', 'GET', '/api/topics/events', 403, undefined],
  ['alice', 'GET', '/api/topics/events/messages?partition=0', 403, undefined],
  ['alice', 'POST', '/api/topics/orders/messages', 403, { value: 'v' }],
  ['alice', 'PUT', '/api/topics/orders/configs', 403, { name: 'retention.ms', value: '1000' }],
  ['alice', 'GET', '/api/groups/billing', 503, undefined],
  ['alice', 'GET', '/api/groups/other', 403, undefined],
  ['alice', 'GET', '/api/events?stream=overview', 403, undefined],
  ['alice', 'GET', '/api/events?stream=group&group=other', 403, undefined],
  ['alice', 'POST', '/api/groups/billing/reset', 403, { to: 'earliest', topics: ['orders'] }],
  ['alice', 'GET', '/api/overview', 403, undefined],
  ['alice', 'GET', '/api/zk/node?path=/', 403, undefined],
  ['alice', 'POST', '/api/zk/node', 403, { path: '/x' }],
  ['bob', 'POST', '/api/topics/events/messages', 503, { value: 'v' }],
  ['bob', 'GET', '/api/topics/events/messages?partition=0', 403, undefined],
  ['admin', 'GET', '/api/overview', 503, undefined],
  ['admin', 'PUT', '/api/topics/orders/configs', 503, { name: 'retention.ms', value: '1000' }],
] as const)('%s: %s %s -> %i', async (who, method, path, status, body) => {
  const r = await call(path, { alice: ALICE, bob: BOB, admin: ADMIN }[who], method, body);
  expect(r.status).toBe(status);
  if (status === 403) expect(r.body.error).toMatch(new RegExp(`User:${who} (may not [A-Z_]+ (TOPIC|GROUP|CLUSTER) \\S+|is not a super user)`));
});

test('a list is never refused for want of DESCRIBE: it is filtered instead, as Kafka filters Metadata and ListGroups', async () => {
  // The broker is absent, so the lists fail after authorization: what is checked here is that an
  // unauthorized user is not refused the list itself (Kafka filters it instead).
  expect((await call('/api/topics', BOB)).status).toBe(503);
  expect((await call('/api/groups', BOB)).status).toBe(503);
});

test('an address past the failure limit is refused unchecked (429), even with the right password', async () => {
  const other = await securedConsole();
  for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++) expect((await call('/api/settings', basic('alice', `guess-${i}`), 'GET', undefined, other)).status).toBe(401);
  const r = await call('/api/settings', ALICE, 'GET', undefined, other);
  expect(r.status).toBe(429);
  expect(r.body.error).toMatch(/too many failed logins/);
});

test('a SCRAM login is checked once (PBKDF2) and then remembered, until the credential changes', async () => {
  // Only the password check (PBKDF2) reads a credential's iterations: no more reads, no more checks.
  let checks = 0;
  const counted = (c: ScramCredential): ScramCredential => new Proxy(c, { get: (t, k) => (k === 'iterations' && checks++, t[k as keyof ScramCredential]) });
  let current = counted(bobCredential);
  const at = await securedConsole({ ...security(), scram: async (user, mechanism) => (user === 'bob' && mechanism === 'SCRAM-SHA-256' ? current : undefined) });
  expect((await call('/api/settings', BOB, 'GET', undefined, at)).body.principal).toBe('User:bob');
  const once = checks;
  expect(once).toBeGreaterThan(0);
  for (let i = 0; i < 5; i++) expect((await call('/api/settings', BOB, 'GET', undefined, at)).body.principal).toBe('User:bob');
  expect(checks).toBe(once);
  // A wrong password is never remembered as right, and does not evict the right one.
  expect((await call('/api/settings', basic('bob', 'wrong'), 'GET', undefined, at)).status).toBe(401);
  expect((await call('/api/settings', BOB, 'GET', undefined, at)).status).toBe(200);
  // The password changed (a new salt and stored key): the old one is refused at once.
  const salt2 = randomBytes(16);
  current = counted(credentialFromSalted('SCRAM-SHA-256', saltedPassword('SCRAM-SHA-256', 'new-secret', salt2, MIN_ITERATIONS), salt2, MIN_ITERATIONS));
  expect((await call('/api/settings', BOB, 'GET', undefined, at)).status).toBe(401);
  expect((await call('/api/settings', basic('bob', 'new-secret'), 'GET', undefined, at)).status).toBe(200);
});

test('remembered SCRAM logins expire, and the cache holds a bounded number, the oldest forgotten first', () => {
  let now = 0;
  const cache = new ScramLoginCache(() => now);
  const key = ScramLoginCache.key('bob', 'bob-secret');
  expect(key).not.toContain('bob-secret');
  cache.remember(key, 'SCRAM-SHA-256', bobCredential.storedKey);
  now = SCRAM_LOGIN_CACHE_MS - 1;
  expect(cache.get(key)?.storedKey).toEqual(bobCredential.storedKey);
  now = SCRAM_LOGIN_CACHE_MS;
  expect(cache.get(key)).toBeUndefined();
  for (let i = 0; i <= SCRAM_LOGINS_MAX; i++) cache.remember(ScramLoginCache.key(`u${i}`, 'p'), 'SCRAM-SHA-256', bobCredential.storedKey);
  expect(cache.size).toBe(SCRAM_LOGINS_MAX);
  expect(cache.get(ScramLoginCache.key('u0', 'p'))).toBeUndefined();
  expect(cache.get(ScramLoginCache.key(`u${SCRAM_LOGINS_MAX}`, 'p'))).toBeDefined();
});
