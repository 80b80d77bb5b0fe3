// The console's ZooKeeper pages through Skein's own ZooKeeper client (so a future ACL check sees the
// console as a client): one znode at a time with a page of its children (sorted, paged: a node with
// 100,000 children answers one page), its data, Stat and ACL; sessions and watches from the server in
// this process. Changes are version-checked when the page says which version it showed.
import { ErrorCode, KeeperError } from '../../protocol/zookeeper/codes.js';
import type { ACL, ZooKeeperClient } from '../zookeeper/client/client.js';
import type { ServerView } from '../zookeeper/four-letter-words.js';
import { statRecord } from '../cli/commands/zk.js';
import { ApiError } from './api-error.js';

/** Children per page of the tree. */
export const CHILDREN_PAGE_MAX = 500;
/**
 * Largest answer the console's ZooKeeper client reads: ZooKeeper has no paged getChildren, so a node with
 * 100,000 children comes whole (over jute.maxbuffer's 1 MiB with names of 10 characters) and is paged here.
 */
export const REPLY_BYTES_MAX = 16 * 1024 * 1024;
/** Sessions listed at most. */
export const SESSIONS_MAX = 1000;
/** Data bytes a znode may be given from the console (ZooKeeper's default jute.maxbuffer). */
export const ZNODE_DATA_BYTES_MAX = 1024 * 1024;

const STATUS: ReadonlyMap<number, number> = new Map([
  [ErrorCode.noNode, 404],
  [ErrorCode.noAuth, 403],
  [ErrorCode.badVersion, 409],
  [ErrorCode.nodeExists, 409],
  [ErrorCode.notEmpty, 409],
  [ErrorCode.noChildrenForEphemerals, 400],
  [ErrorCode.invalidACL, 400],
  [ErrorCode.badArguments, 400],
  // The server went away or is slow: a later try may pass.
  [ErrorCode.connectionLoss, 503],
  [ErrorCode.sessionExpired, 503],
  [ErrorCode.operationTimeout, 503],
  [ErrorCode.requestTimeout, 503],
]);
const NAMES: ReadonlyMap<number, string> = new Map(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

/** A ZooKeeper refusal as the HTTP status a page understands (404 for NoNode, 409 for BadVersion, ...). */
async function zk<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof KeeperError) throw new ApiError(STATUS.get(err.code) ?? 502, `${what}: ${NAMES.get(err.code) ?? err.code}`);
    throw err;
  }
}

function aclView(acl: readonly ACL[]) {
  const PERMS = ['READ', 'WRITE', 'CREATE', 'DELETE', 'ADMIN'];
  return acl.map((a) => ({ scheme: a.id.scheme, id: a.id.id, perms: PERMS.filter((_, i) => (a.perms & (1 << i)) !== 0) }));
}

export async function describeZnode(client: ZooKeeperClient, path: string, page: number, limit: number) {
  const [{ data, stat }, { acl }, children] = await Promise.all([
    zk(`get ${path}`, () => client.getData(path)),
    zk(`getAcl ${path}`, () => client.getACL(path)),
    zk(`ls ${path}`, () => client.getChildren(path)),
  ]);
  children.sort();
  return {
    path,
    data: data === null ? null : data.toString('base64'),
    stat: statRecord(stat),
    ephemeral: stat.ephemeralOwner !== 0n,
    acl: aclView(acl),
    children: { total: children.length, page, limit, names: children.slice(page * limit, (page + 1) * limit) },
  };
}

export async function createZnode(client: ZooKeeperClient, path: string, data: Buffer, mode: 'persistent' | 'persistentSequential') {
  return { path: await zk(`create ${path}`, () => client.create(path, data, { mode })) };
}

export async function setZnodeData(client: ZooKeeperClient, path: string, data: Buffer, version: number) {
  return { stat: statRecord(await zk(`set ${path}`, () => client.setData(path, data, version))) };
}

export async function deleteZnode(client: ZooKeeperClient, path: string, version: number) {
  await zk(`delete ${path}`, () => client.delete(path, version));
  return { deleted: path };
}

/** The sessions connected to this server and its watch counts. */
export function sessionsAndWatches(server: ServerView) {
  const sessions = [];
  for (const c of server.connections) {
    if (!c.isSession) continue;
    if (sessions.length >= SESSIONS_MAX) break;
    sessions.push({ sessionId: `0x${c.sessionId.toString(16)}`, remote: c.remote, established: c.established, timeoutMs: server.tracker.get(c.sessionId)?.timeout ?? null, outstanding: c.outstanding });
  }
  return { total: server.tracker.size, sessions, watches: server.watches.summary() };
}
