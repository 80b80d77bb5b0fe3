// The AdminServer's /commands/<name> JSON of Skein beside Apache ZooKeeper 3.8.0's (Debian's jar, its
// Jetty AdminServer enabled), after the same znodes, ephemeral and watches through one client each:
// same command names and aliases, same field names and JSON types, same values where the two must agree.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zookeeper, { type Client } from 'node-zookeeper-client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort } from '../../test/helpers/free-port.js';
import { SkeinZooKeeper } from '../../test/helpers/skein-process.js';
import { spawnJavaServer } from '../helpers/java-server.js';
import { call } from '../../test/integration/zookeeper/harness.js';

const JARS = ['zookeeper', 'slf4j-simple', 'servlet-api', 'jetty9-server', 'jetty9-servlet', 'jetty9-http', 'jetty9-io', 'jetty9-util', 'jetty9-security', 'jetty9-util-ajax', 'jackson-databind', 'jackson-core', 'jackson-annotations'];
const CLASSPATH = JARS.map((j) => `/usr/share/java/${j}.jar`).join(':');
const START_MS = 60_000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Server {
  http: number;
  client: Client;
  stop(): Promise<void>;
}

async function until(probe: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > end) throw new Error(`not ready within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function command(port: number, name: string): Promise<JsonObject> {
  const res = await fetch(`http://127.0.0.1:${port}/commands/${name}`);
  expect(res.status, name).toBe(200);
  expect(res.headers.get('content-type'), name).toMatch(/^application\/json/);
  return (await res.json()) as JsonObject;
}

function connected(port: number): Promise<Client> {
  const client = zookeeper.createClient(`127.0.0.1:${port}`, { sessionTimeout: 10_000, retries: 0 });
  return new Promise((resolve) => {
    client.once('connected', () => resolve(client));
    client.connect();
  });
}

async function startApache(): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), 'skein-apache-admin-'));
  const [port, http] = [await freePort(), await freePort()];
  const cfg = join(dir, 'zoo.cfg');
  await writeFile(
    cfg,
    [`tickTime=2000`, `dataDir=${dir}`, `clientPort=${port}`, 'clientPortAddress=127.0.0.1', 'admin.enableServer=true', 'admin.serverAddress=127.0.0.1', `admin.serverPort=${http}`].join('\n') + '\n',
  );
  const { stop } = spawnJavaServer(['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', CLASSPATH, 'org.apache.zookeeper.server.ZooKeeperServerMain', cfg], dir);
  try {
    await until(async () => (await fetch(`http://127.0.0.1:${http}/commands/ruok`)).ok, START_MS);
  } catch (e) {
    await stop();
    throw e;
  }
  return { http, client: await connected(port), stop };
}

async function startSkein(): Promise<Server> {
  const http = await freePort();
  const zk = await SkeinZooKeeper.start([`http.port=${http}`, 'tickTime=2000']);
  await until(async () => (await fetch(`http://127.0.0.1:${http}/healthz`)).ok, START_MS);
  return { http, client: await connected(zk.port), stop: () => zk.destroy() };
}

/** The same state on both: a tree, an ephemeral, an exists watch and a child watch on /a. */
async function populate(c: Client): Promise<void> {
  const open = zookeeper.ACL.OPEN_ACL_UNSAFE;
  await call<string>((cb) => c.create('/a', Buffer.from('a'), open, zookeeper.CreateMode.PERSISTENT, cb));
  await call<string>((cb) => c.create('/a/b', Buffer.from('b'), open, zookeeper.CreateMode.PERSISTENT, cb));
  await call<string>((cb) => c.create('/e', Buffer.from('x'), open, zookeeper.CreateMode.EPHEMERAL, cb));
  await call<unknown>((cb) => c.exists('/a', () => undefined, cb));
  await call<string[]>((cb) => c.getChildren('/a', () => undefined, cb));
}

const jsonType = (v: Json): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Objects keyed by session id, path or time: their keys are data, so only their values' shapes are compared. */
const KEYED_BY_DATA = new Set(['expiry_time_to_session_ids', 'session_id_to_ephemeral_paths', 'session_id_to_watched_paths', 'path_to_session_ids']);

/** Fields Skein serves must be Apache's, with Apache's JSON type; nested objects and array elements too. */
function expectSameShape(skein: Json, apache: Json, path: string, extras: ReadonlySet<string>): void {
  if (apache === null || skein === null) return;
  expect(jsonType(skein), path).toBe(jsonType(apache));
  const field = path.slice(path.lastIndexOf('.') + 1);
  if (KEYED_BY_DATA.has(field) && typeof skein === 'object' && typeof apache === 'object' && !Array.isArray(skein) && !Array.isArray(apache)) {
    const [s, a] = [Object.values(skein)[0], Object.values(apache)[0]];
    if (s !== undefined && a !== undefined) expectSameShape(s, a, `${path}.*`, extras);
    return;
  }
  if (Array.isArray(skein) && Array.isArray(apache)) {
    if (skein.length > 0 && apache.length > 0) expectSameShape(skein[0]!, apache[0]!, `${path}[0]`, extras);
    return;
  }
  if (typeof skein !== 'object' || Array.isArray(skein) || typeof apache !== 'object' || Array.isArray(apache)) return;
  for (const key of Object.keys(skein)) {
    if (extras.has(key)) continue;
    expect(Object.keys(apache), `${path}.${key} is not in Apache's answer`).toContain(key);
    expectSameShape(skein[key]!, apache[key]!, `${path}.${key}`, extras);
  }
}

/**
 * Apache's fields Skein leaves out, by command, and why: Java and Jetty machinery (buffers, interest ops,
 * TLS, JVM), and counters of stages Skein's pipeline does not have.
 */
const NOT_SERVED: Record<string, string[]> = {
  stats: ['client_response', 'connections[].interest_ops'],
  server_stats: ['fsync_threshold_exceed_count', 'client_response_stats', 'provider_null', 'auth_failed_count', 'non_mtlsremote_conn_count', 'non_mtlslocal_conn_count', 'client_response'],
  connections: ['interest_ops', 'last_response_time', 'last_latency', 'min_latency', 'avg_latency', 'max_latency'],
  environment: ['java.version', 'java.vendor', 'java.home', 'java.class.path', 'java.library.path', 'java.io.tmpdir', 'java.compiler', 'os.memory.free', 'os.memory.max', 'os.memory.total'],
};
/** Skein's own additions: the runtime in place of the JVM's. */
const SKEIN_EXTRAS = new Set(['node.version', 'process.memory.rss']);

const ALIASES: [string, string][] = [
  ['mntr', 'monitor'],
  ['stat', 'stats'],
  ['srvr', 'server_stats'],
  ['conf', 'configuration'],
  ['cons', 'connections'],
  ['isro', 'is_read_only'],
  ['envi', 'environment'],
  ['wchs', 'watch_summary'],
  ['wchc', 'watches'],
  ['wchp', 'watches_by_path'],
];

let apache: Server;
let skein: Server;

beforeAll(async () => {
  [apache, skein] = await Promise.all([startApache(), startSkein()]);
  await Promise.all([populate(apache.client), populate(skein.client)]);
}, 2 * START_MS);

afterAll(async () => {
  for (const s of [apache, skein]) {
    s?.client.close();
    await s?.stop();
  }
});

test.each(['ruok', 'is_read_only', 'monitor', 'stats', 'server_stats', 'configuration', 'connections', 'environment', 'dump', 'watch_summary', 'watches', 'watches_by_path', 'dirs'])(
  '%s: the fields Skein answers are Apache\'s, with the same types',
  async (name) => {
    const [a, s] = await Promise.all([command(apache.http, name), command(skein.http, name)]);
    expect(s.command).toBe(a.command);
    expect(s.error).toBe(a.error);
    expectSameShape(s, a, name, SKEIN_EXTRAS);
    // Apache's fields Skein leaves out are the documented ones (monitor's hundreds of Java-internal counters aside).
    if (name !== 'monitor') {
      const missing = Object.keys(a).filter((k) => !(k in s));
      const [ac, sc] = [a.connections, s.connections];
      const connectionsMissing =
        Array.isArray(ac) && Array.isArray(sc) && ac[0] && sc[0] ? Object.keys(ac[0] as JsonObject).filter((k) => !(k in (sc[0] as JsonObject))).map((k) => `connections[].${k}`) : [];
      const expected = new Set(NOT_SERVED[name] ?? []);
      for (const field of [...missing, ...connectionsMissing]) expect(expected, `${name}: Apache's ${field} is missing`).toContain(field.replace(/^connections\[\]\./, name === 'connections' ? '' : 'connections[].'));
    }
  },
);

test('values that must agree do: state, sessions, ephemerals, watches', async () => {
  const [a, s] = await Promise.all([command(apache.http, 'monitor'), command(skein.http, 'monitor')]);
  for (const key of ['server_state', 'ephemerals_count', 'global_sessions', 'num_alive_connections', 'watch_count', 'outstanding_requests']) expect(s[key], key).toBe(a[key]);
  // Apache's DataTree holds the root under both "" and "/", so its count is one above the znodes there are.
  expect(s.znode_count).toBe((a.znode_count as number) - 1);
  const [aw, sw] = await Promise.all([command(apache.http, 'watch_summary'), command(skein.http, 'watch_summary')]);
  expect(sw).toEqual(aw);
  const [ap, sp] = await Promise.all([command(apache.http, 'watches_by_path'), command(skein.http, 'watches_by_path')]);
  expect(Object.keys(sp.path_to_session_ids as JsonObject)).toEqual(Object.keys(ap.path_to_session_ids as JsonObject));
  const [ad, sd] = await Promise.all([command(apache.http, 'dump'), command(skein.http, 'dump')]);
  expect(Object.values(sd.session_id_to_ephemeral_paths as JsonObject)).toEqual(Object.values(ad.session_id_to_ephemeral_paths as JsonObject));
  const [ar, sr] = await Promise.all([command(apache.http, 'is_read_only'), command(skein.http, 'is_read_only')]);
  expect(sr).toEqual(ar);
});

test('aliases answer under the primary name; an unknown command is an error in a 200 answer, as in ZooKeeper 3.8', async () => {
  for (const [alias, primary] of ALIASES) {
    const [a, s] = await Promise.all([command(apache.http, alias), command(skein.http, alias)]);
    expect(a.command, alias).toBe(primary);
    expect(s.command, alias).toBe(primary);
  }
  const [a, s] = await Promise.all([command(apache.http, 'no_such_command'), command(skein.http, 'no_such_command')]);
  expect(s).toEqual(a);
  // Standalone, Apache has no leader to describe, and says so.
  const [al, sl] = await Promise.all([command(apache.http, 'leader'), command(skein.http, 'leader')]);
  expect(sl).toEqual(al);
});
