// The web console's JSON API (/api/...) and its static front end (/): one handler the HTTP listener
// hands every console path. Parameters are validated in params.ts, writes pass permission.ts, live
// pages subscribe to live-streams.ts. The console is a client of its own node: a Kafka admin client and
// a ZooKeeper client, connected on first use and reconnected after a failure, so a broker that went away
// while a page is open is an error message on the page, not a hung request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KafkaAdmin } from '../kafka/client/admin.js';
import { KafkaProtocolError } from '../../protocol/kafka/index.js';
import { ConnectionClosedError, RequestTimeoutError, type ConnectionSecurity } from '../kafka/client/connection.js';
import type { Logger } from '../logger.js';
import { ZooKeeperClient } from '../zookeeper/client/client.js';
import type { OffsetTarget } from '../kafka/client/group-offsets.js';
import { ApiError, badRequest, notFound } from './api-error.js';
import * as kafka from './kafka-api.js';
import { LiveStreams } from './live-streams.js';
import { clusterPeers, countersJson, localCounters, trafficSampler, type Peer } from './cluster-traffic.js';
import { overview, type NodeParts } from './overview.js';
import { anyServerListening } from './zookeeper-servers.js';
import { configName, field, groupId, int, intValue, jsonObject, oneOf, str, topicName, znodePath, type Query } from './params.js';
import { AclOperation } from '../kafka/acl/model.js';
import type { Requester } from '../kafka/acl/authorizer.js';
import { authenticate, REALM, ScramLoginCache, Unauthenticated } from './console-auth.js';
import { allowed, checkAccess, checkWrite, checkZooKeeper, CLUSTER_DESCRIBE, groupAccess, mayUseZooKeeper, topicAccess, type ConsolePermissions } from './permission.js';
import { consoleAssetsDir, serveAsset } from './static-assets.js';
import * as zookeeper from './zookeeper-api.js';

/** A request body is read up to this (a znode's data, 1 MiB, as a JSON string, or a test message). */
export const BODY_BYTES_MAX = 3 * 1024 * 1024;
/** The console's ZooKeeper session: short, so a console that went away frees its session soon. */
const ZK_SESSION_TIMEOUT_MS = 10_000;
/** A ZooKeeper call (with connecting) answers within this, or the page is told the server cannot be reached. */
const ZK_CALL_TIMEOUT_MS = 10_000;
const TIMESTAMP_MAX = 8.64e15;
const OFFSET_MAX = Number.MAX_SAFE_INTEGER;

export interface ConsoleOptions extends NodeParts, ConsolePermissions {
  /** The node's own Kafka listener (host:port); undefined on a ZooKeeper server alone, which then has no Kafka pages. */
  readonly bootstrap: string | undefined;
  /** How `bootstrap` is reached: TLS and a SASL login when the listener asks for them. */
  readonly kafkaSecurity?: ConnectionSecurity;
  /** The ZooKeeper the pages browse (the node's own server, or its broker's zookeeper.connect); undefined for a broker alone. */
  readonly zookeeperConnect: string | undefined;
  /** Only requests naming a loopback Host are served: a web page elsewhere cannot reach the console by DNS rebinding. */
  readonly loopbackOnly: boolean;
  readonly log: Logger;
}

export interface ConsoleHandler {
  /** Whether `path` is the console's (the listener then hands the request to handle()). */
  owns(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  close(): Promise<void>;
}

/** `who`: the authenticated requester, undefined when the console requires no login. */
type Handler = (q: Query, body: () => Promise<Record<string, unknown>>, match: string[], res: ServerResponse, who: Requester | undefined) => Promise<unknown>;

function isLoopbackHost(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  const host = hostHeader.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new ApiError(415, 'send the body as application/json');
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const take = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_BYTES_MAX) return void chunks.push(chunk);
      // The rest is read and dropped (the request timeout bounds it), so the 413 reaches the client.
      req.off('data', take);
      req.resume();
      chunks.length = 0;
      reject(new ApiError(413, `the body is larger than ${BODY_BYTES_MAX} bytes`));
    };
    req.on('data', take);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function offsetTarget(o: Record<string, unknown>): OffsetTarget {
  switch (o.to) {
    case 'earliest':
    case 'latest':
      return o.to;
    case 'offset':
      return intValue(o.offset, 'offset', 0, OFFSET_MAX);
    case 'timestamp':
      return { time: intValue(o.timestamp, 'timestamp', 0, TIMESTAMP_MAX) };
    default:
      throw badRequest('to must be earliest, latest, offset or timestamp');
  }
}

function stringList(v: unknown, name: string, max: number): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > max || v.some((x) => typeof x !== 'string')) throw badRequest(`${name} must be a list of at most ${max} strings`);
  return v as string[];
}

function headersField(v: unknown): { key: string; value: string }[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > 64) throw badRequest('headers must be a list of at most 64 {key, value}');
  return v.map((h: unknown) => {
    if (typeof h !== 'object' || h === null) throw badRequest('each header must be {key, value}');
    const o = h as Record<string, unknown>;
    return { key: field(o, 'key', 1024)!, value: field(o, 'value', 64 * 1024)! };
  });
}

export function createConsole(options: ConsoleOptions): ConsoleHandler {
  const assets = consoleAssetsDir();
  let admin: Promise<KafkaAdmin> | undefined;
  let zk: Promise<ZooKeeperClient> | undefined;
  const scramLogins = new ScramLoginCache();

  /** Runs `call` with the admin client, dropping a client whose connections all closed so the next call reconnects. */
  async function withAdmin<T>(call: (a: KafkaAdmin) => Promise<T>): Promise<T> {
    const bootstrap = options.bootstrap;
    if (bootstrap === undefined) throw notFound('this node runs no Kafka broker: its console shows ZooKeeper only');
    const current = (admin ??= KafkaAdmin.connect([bootstrap], { clientId: 'skein-console', ...options.kafkaSecurity }));
    try {
      return await call(await current);
    } catch (err) {
      if (err instanceof ConnectionClosedError && admin === current) {
        admin = undefined;
        void current.then((a) => a.close(), () => undefined);
      }
      if (err instanceof ConnectionClosedError) throw new ApiError(503, `the broker at ${bootstrap} cannot be reached: ${err.message}`);
      throw err;
    }
  }
  /** Runs `call` with the ZooKeeper client; a server that does not answer in time is a 503, and the client is made anew. */
  async function withZk<T>(call: (c: ZooKeeperClient) => Promise<T>): Promise<T> {
    const connect = options.zookeeperConnect;
    if (connect === undefined) throw notFound('this node has no ZooKeeper to show (a broker without zookeeper.connect)');
    // The client would retry an ensemble where nothing listens until its session timeout: a page is told at once.
    const current = (zk ??= anyServerListening(connect).then((listening) => {
      if (!listening) throw new ApiError(503, `ZooKeeper at ${connect} cannot be reached: nothing accepts connections there`);
      return ZooKeeperClient.connect(connect, { sessionTimeoutMs: ZK_SESSION_TIMEOUT_MS, maxReplyBytes: zookeeper.REPLY_BYTES_MAX }).catch((err: Error) => {
        throw new ApiError(503, `ZooKeeper at ${connect} cannot be reached: ${err.message}`);
      });
    }));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ApiError(503, `ZooKeeper at ${connect} did not answer within ${ZK_CALL_TIMEOUT_MS} ms`)), ZK_CALL_TIMEOUT_MS);
    });
    try {
      return await Promise.race([current.then(call), late]);
    } catch (err) {
      if (err instanceof ApiError && err.status === 503 && zk === current) {
        zk = undefined;
        void current.then((c) => c.close(), () => undefined);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  const sources = { ...options, kafka: options.bootstrap === undefined ? undefined : withAdmin, zk: options.zookeeperConnect === undefined ? undefined : withZk, seenBrokers: new Map<number, string>() };
  // The brokers of a broker's cluster (a broker alone has none to ask): registered ones, and where each console answers.
  const peers = options.broker?.cluster && sources.zk && ((): Promise<Peer[]> => withZk(clusterPeers));
  // One sampler per stream: each keeps the counters of its own previous sample.
  const overviewTraffic = trafficSampler(options.broker, peers);
  const topicTraffic = trafficSampler(options.broker, peers);
  const streams = new LiveStreams(async (key) => {
    if (key === 'overview') {
      const [{ t, total, coverage }, view] = await Promise.all([overviewTraffic(), overview(sources)]);
      return { t, bytesIn: total?.bytesIn ?? null, bytesOut: total?.bytesOut ?? null, messagesIn: total?.messagesIn ?? null, coverage, overview: view };
    }
    // Rates only: an open topic list asks the brokers' consoles for their counters, not the cluster for its topics.
    if (key === 'rates') return topicTraffic();
    return withAdmin((a) => kafka.groupLagSample(a, key.slice('group:'.length)));
  });

  const local = options.broker;
  const GET: [RegExp, Handler][] = [
    [
      /^\/api\/settings$/,
      // What the page shows and offers: per-resource write rights come with each topic and group.
      async (_q, _b, _m, _r, who) => ({
        readOnly: options.readOnly,
        principal: who?.principal ?? null,
        kafka: options.bootstrap !== undefined,
        zookeeper: options.zookeeperConnect !== undefined && mayUseZooKeeper(options, who),
        // Sessions and watches are a server's own: a broker's console browses its ZooKeeper but lists none.
        sessions: options.zookeeper !== undefined,
      }),
    ],
    [
      /^\/api\/overview$/,
      async (_q, _b, _m, _r, who) => {
        checkAccess(options, who, CLUSTER_DESCRIBE);
        return overview(sources);
      },
    ],
    [
      /^\/api\/topics$/,
      async (q, _b, _m, _r, who) => {
        const [search, page, limit] = [str(q, 'q', ''), int(q, 'page', 0, 1_000_000, 0), int(q, 'limit', 1, kafka.TOPICS_PAGE_MAX, 50)];
        return withAdmin((a) => kafka.listTopics(a, local, search, page, limit, (t) => allowed(options, who, topicAccess(AclOperation.DESCRIBE, t))));
      },
    ],
    [
      /^\/api\/topics\/([^/]+)$/,
      async (_q, _b, [name], _r, who) => {
        const topic = topicName(name!);
        checkAccess(options, who, topicAccess(AclOperation.DESCRIBE, topic));
        const can = (op: AclOperation) => allowed(options, who, topicAccess(op, topic));
        const may = { describeConfigs: can(AclOperation.DESCRIBE_CONFIGS), read: can(AclOperation.READ), write: !options.readOnly && can(AclOperation.WRITE), alterConfigs: !options.readOnly && can(AclOperation.ALTER_CONFIGS) };
        return { ...(await withAdmin((a) => kafka.describeTopic(a, local, topic, may.describeConfigs))), may };
      },
    ],
    [
      /^\/api\/topics\/([^/]+)\/messages$/,
      async (q, _b, [name], _r, who) => {
        const topic = topicName(name!);
        checkAccess(options, who, topicAccess(AclOperation.READ, topic));
        const partition = int(q, 'partition', 0, 1_000_000);
        const from = q.has('timestamp') ? { timestamp: int(q, 'timestamp', 0, TIMESTAMP_MAX) } : { offset: int(q, 'offset', 0, OFFSET_MAX, 0) };
        const limit = int(q, 'limit', 1, kafka.MESSAGES_PAGE_MAX, 20);
        return withAdmin((a) => kafka.browseMessages(a, topic, partition, from, limit));
      },
    ],
    [
      /^\/api\/topics\/([^/]+)\/messages\/value$/,
      async (q, _b, [name], res, who) => {
        const topic = topicName(name!);
        checkAccess(options, who, topicAccess(AclOperation.READ, topic));
        const partition = int(q, 'partition', 0, 1_000_000);
        const offset = int(q, 'offset', 0, OFFSET_MAX);
        const value = await withAdmin((a) => kafka.recordValue(a, topic, partition, offset));
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': value.length,
          'content-disposition': `attachment; filename="${topic}-${partition}-${offset}.bin"`,
          'cache-control': 'no-store',
        });
        res.end(value);
        return undefined;
      },
    ],
    [/^\/api\/groups$/, async (_q, _b, _m, _r, who) => withAdmin((a) => kafka.listGroups(a, (g) => allowed(options, who, groupAccess(AclOperation.DESCRIBE, g))))],
    [
      /^\/api\/groups\/([^/]+)$/,
      async (_q, _b, [id], _r, who) => {
        const group = groupId(id!);
        checkAccess(options, who, groupAccess(AclOperation.DESCRIBE, group));
        const resetOffsets = !options.readOnly && allowed(options, who, groupAccess(AclOperation.READ, group));
        return { ...(await withAdmin((a) => kafka.describeGroup(a, group))), may: { resetOffsets } };
      },
    ],
    [
      /^\/api\/zk\/node$/,
      async (q, _b, _m, _r, who) => {
        checkZooKeeper(options, who);
        const [path, page, limit] = [znodePath(str(q, 'path', '/')), int(q, 'page', 0, 1_000_000, 0), int(q, 'limit', 1, zookeeper.CHILDREN_PAGE_MAX, 100)];
        return withZk((c) => zookeeper.describeZnode(c, path, page, limit));
      },
    ],
    [
      /^\/api\/zk\/sessions$/,
      async (_q, _b, _m, _r, who) => {
        checkZooKeeper(options, who);
        if (!options.zookeeper) throw notFound('this node runs no ZooKeeper server');
        return zookeeper.sessionsAndWatches(options.zookeeper);
      },
    ],
    [
      /^\/api\/events$/,
      async (q, _b, _m, res, who) => {
        const stream = oneOf(q, 'stream', ['overview', 'rates', 'group'], 'overview');
        const group = stream === 'group' ? groupId(str(q, 'group')) : undefined;
        // A group's lag names its topics' offsets: Kafka's OffsetFetch wants DESCRIBE on the group.
        checkAccess(options, who, group === undefined ? CLUSTER_DESCRIBE : groupAccess(AclOperation.DESCRIBE, group));
        const key = group === undefined ? stream : `group:${group}`;
        if (!streams.subscribe(key, res)) throw new ApiError(429, 'too many live pages are open on this node: close some and reload');
        return undefined;
      },
    ],
  ];
  const WRITE: [string, RegExp, string, Handler][] = [
    [
      'PUT',
      /^\/api\/topics\/([^/]+)\/configs$/,
      'change topic configs',
      async (_q, body, [name], _r, who) => {
        const topic = topicName(name!);
        checkAccess(options, who, topicAccess(AclOperation.ALTER_CONFIGS, topic));
        const b = await body();
        const [config, value] = [configName(field(b, 'name', 255)!), field(b, 'value', 64 * 1024, true)];
        return withAdmin((a) => kafka.alterTopicConfig(a, topic, config, value));
      },
    ],
    [
      'POST',
      /^\/api\/topics\/([^/]+)\/messages$/,
      'produce',
      async (_q, body, [name], _r, who) => {
        const topic = topicName(name!);
        checkAccess(options, who, topicAccess(AclOperation.WRITE, topic));
        const b = await body();
        const partition = b.partition === undefined || b.partition === null ? null : intValue(b.partition, 'partition', 0, 1_000_000);
        const message = { partition, key: field(b, 'key', 64 * 1024, true), value: field(b, 'value', 1024 * 1024)!, headers: headersField(b.headers) };
        return withAdmin((a) => kafka.produceTestMessage(a, topic, message));
      },
    ],
    [
      'POST',
      /^\/api\/groups\/([^/]+)\/reset$/,
      'reset offsets',
      async (_q, body, [id], _r, who) => {
        const group = groupId(id!);
        const b = await body();
        const topics = stringList(b.topics, 'topics', 1000).map(topicName);
        // What committing the offsets takes on Kafka (OffsetCommit): READ on the group and on each topic.
        checkAccess(options, who, groupAccess(AclOperation.READ, group), ...topics.map((t) => topicAccess(AclOperation.READ, t)));
        const target = offsetTarget(b);
        return withAdmin((a) => kafka.resetGroupOffsets(a, group, topics, target, b.preview !== false));
      },
    ],
    [
      'POST',
      /^\/api\/zk\/node$/,
      'create znodes',
      async (_q, body, _m, _r, who) => {
        checkZooKeeper(options, who);
        const b = await body();
        const [path, data] = [znodePath(field(b, 'path', 4096)!), Buffer.from(field(b, 'data', zookeeper.ZNODE_DATA_BYTES_MAX, true) ?? '')];
        return withZk((c) => zookeeper.createZnode(c, path, data, b.sequential === true ? 'persistentSequential' : 'persistent'));
      },
    ],
    [
      'PUT',
      /^\/api\/zk\/node$/,
      'change znodes',
      async (_q, body, _m, _r, who) => {
        checkZooKeeper(options, who);
        const b = await body();
        const [path, data, version] = [znodePath(field(b, 'path', 4096)!), Buffer.from(field(b, 'data', zookeeper.ZNODE_DATA_BYTES_MAX)!), intValue(b.version, 'version', -1, 0x7fffffff)];
        return withZk((c) => zookeeper.setZnodeData(c, path, data, version));
      },
    ],
    [
      'DELETE',
      /^\/api\/zk\/node$/,
      'delete znodes',
      async (q, _b, _m, _r, who) => {
        checkZooKeeper(options, who);
        const [path, version] = [znodePath(str(q, 'path')), int(q, 'version', -1, 0x7fffffff)];
        return withZk((c) => zookeeper.deleteZnode(c, path, version));
      },
    ],
  ];

  function answer(res: ServerResponse, status: number, value: unknown): void {
    const text = `${JSON.stringify(value)}\n`;
    // After a refused body the connection is not reused: the client may still be sending it.
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...(status === 413 ? { connection: 'close' } : {}) });
    res.end(res.req.method === 'HEAD' ? undefined : text);
  }

  return {
    owns: (path) => path === '/' || path === '/index.html' || path.startsWith('/api/') || path.startsWith('/assets/'),
    async handle(req, res, url) {
      const path = url.pathname;
      const method = req.method ?? 'GET';
      try {
        if (options.loopbackOnly && !isLoopbackHost(req.headers.host)) throw new ApiError(403, 'the console answers only requests to a loopback address (localhost, 127.0.0.1, [::1])');
        // The other brokers' consoles sum these counters into their cluster charts. They are what /metrics
        // serves to anyone (kafka_server_brokertopicmetrics_*_total per topic), so they need no login either.
        if (path === '/api/traffic' && options.broker && (method === 'GET' || method === 'HEAD')) {
          req.resume();
          return answer(res, 200, countersJson(localCounters(options.broker)));
        }
        // The page too: the browser asks for the login once, before the app loads, and sends it with every call.
        const who = options.security && (await authenticate(options.security, scramLogins, req));
        if (!path.startsWith('/api/')) {
          if (method !== 'GET' && method !== 'HEAD') throw new ApiError(405, `method ${method} not allowed`);
          if (assets === undefined) throw notFound('the console was not built: run npm run build');
          if (!(await serveAsset(assets, path, res))) throw notFound(`no such path: ${path}`);
          return;
        }
        const body = () => readBody(req).then(jsonObject);
        if (method === 'GET' || method === 'HEAD') {
          req.resume();
          for (const [pattern, handler] of GET) {
            const m = pattern.exec(path);
            if (!m) continue;
            const result = await handler(url.searchParams, body, m.slice(1).map(decodeURIComponent), res, who);
            if (result !== undefined) answer(res, 200, result);
            return;
          }
          throw notFound(`no such path: ${path}`);
        }
        for (const [verb, pattern, what, handler] of WRITE) {
          const m = pattern.exec(path);
          if (!m || verb !== method) continue;
          checkWrite(options, what);
          return answer(res, 200, await handler(url.searchParams, body, m.slice(1).map(decodeURIComponent), res, who));
        }
        req.resume();
        throw new ApiError(405, `${method} ${path} is not an operation of the console`);
      } catch (err) {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        // A body left unread (a refusal before it was needed) is drained so the connection can be reused.
        req.resume();
        if (err instanceof Unauthenticated) res.setHeader('www-authenticate', `Basic realm="${REALM}", charset="UTF-8"`);
        if (err instanceof ApiError) return answer(res, err.status, { error: err.message });
        if (err instanceof URIError) return answer(res, 400, { error: 'malformed percent-encoding in the path' });
        // The cluster refused: a moved leader or a loading coordinator may pass on retry (503); anything else
        // it refused for a reason its message names (409), such as an invalid config value.
        if (err instanceof KafkaProtocolError) return answer(res, err.retriable ? 503 : 409, { error: err.message });
        if (err instanceof RequestTimeoutError) return answer(res, 504, { error: err.message });
        options.log.error({ err, url: req.url }, 'console request failed');
        return answer(res, 500, { error: 'internal error (logged by the node)' });
      }
    },
    async close() {
      streams.close();
      const [a, z] = [admin, zk];
      admin = zk = undefined;
      await Promise.all([a?.then((c) => c.close(), () => undefined), z?.then((c) => c.close(), () => undefined)]);
    },
  };
}
