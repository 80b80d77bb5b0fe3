// The znode store: a map of path -> znode plus the session table, changed only by applying committed
// transactions in zxid order. No I/O and no clock: time comes from each transaction's header, so a
// replay from the log rebuilds exactly the same tree.
//
// Applying is idempotent with respect to a fuzzy snapshot (one taken while transactions kept being
// applied): a create of a node that exists, or a delete of one that is gone, only brings the parent's
// cversion and pzxid up to date instead of failing the recovery.
import { ErrorCode, EventType, OpCode } from '../../protocol/zookeeper/codes.js';
import { nameOf, parentOf } from '../../protocol/zookeeper/path.js';
import type { ACL, Stat } from '../../protocol/zookeeper/records.js';
import type { Transaction, TxnBody, TxnMeta } from '../../protocol/zookeeper/txn.js';
import { AclCache, OPEN_ACL, READ_ACL } from './acl-set.js';
import { QUOTA_PATH, quotaNodeOf, quotaPrefixOf, StatsTrack, statPath } from './quota.js';
import { CONTAINER_OWNER, serverIdOf, ZNode } from './znode.js';

export const ZOOKEEPER_PATH = '/zookeeper';
export const CONFIG_PATH = '/zookeeper/config';

/** Nodes that exist from the start and that no client may delete. */
export function isSpecialPath(path: string): boolean {
  return path === '/' || path === ZOOKEEPER_PATH || path === QUOTA_PATH || path === CONFIG_PATH;
}

/** Called for each change a watch could be waiting for. */
export type TreeObserver = (type: EventType, path: string) => void;

export interface ApplyResult {
  /** The transaction type, or OpCode.error when it failed. */
  type: number;
  err: number;
  path?: string;
  /**
   * The node's stat after this operation, for create2-style, setData and setACL results: the live
   * node itself (encode it before applying more), or a copy inside a multi.
   */
  stat?: Stat;
  /** Per-operation results of a multi. */
  multi?: ApplyResult[];
}

export class DataTree {
  private readonly nodes = new Map<string, ZNode>();
  readonly aclCache = new AclCache();
  private readonly ephemerals = new Map<bigint, Set<string>>();
  readonly containers = new Set<string>();
  readonly ttls = new Set<string>();
  /** Live sessions and their negotiated timeouts (ms); sessions are transactions too. */
  readonly sessions = new Map<bigint, number>();
  /**
   * Per server (a session id's top byte), the highest session id ever created there. Ids come from the
   * wall clock, which may go back: a server never mints at or below its own, and an ensemble's leader
   * never lets a createSession at or below one commit, so no id is created twice.
   */
  private readonly sessionIdHighs = new Map<number, bigint>();
  lastProcessedZxid = 0n;
  private dataBytes = 0;
  /** Paths with a quota (a zookeeper_limits node), whose zookeeper_stats node applying keeps current. */
  private readonly quotas = new Set<string>();

  constructor() {
    const open = OPEN_ACL;
    this.nodes.set('/', new ZNode(Buffer.alloc(0), this.aclCache.acquire(open), 0n, 0, 0n, 0));
    this.addBuiltIn(ZOOKEEPER_PATH, open);
    this.addBuiltIn(QUOTA_PATH, open);
    this.addBuiltIn(CONFIG_PATH, READ_ACL);
  }

  private addBuiltIn(path: string, acl: readonly ACL[]): void {
    const node = new ZNode(Buffer.alloc(0), this.aclCache.acquire(acl), 0n, 0, 0n, 0);
    this.nodes.get(parentOf(path))!.addChild(nameOf(path));
    this.nodes.set(path, node);
  }

  /** The highest session id `serverId` has had created, if any. */
  lastSessionIdOf(serverId: number): bigint | undefined {
    return this.sessionIdHighs.get(serverId);
  }

  /** Whether a session with this id was ever created (it is at or below its server's highest). */
  sessionIdUsed(id: bigint): boolean {
    const high = this.sessionIdHighs.get(serverIdOf(id));
    return high !== undefined && id <= high;
  }

  /** Every server's highest session id, for snapshots. */
  sessionIdHighEntries(): IterableIterator<[number, bigint]> {
    return this.sessionIdHighs.entries();
  }

  /** Records that session `id` was created (applying its createSession, or restoring a snapshot). */
  noteSessionId(id: bigint): void {
    const server = serverIdOf(id);
    const high = this.sessionIdHighs.get(server);
    if (high === undefined || id > high) this.sessionIdHighs.set(server, id);
  }

  get(path: string): ZNode | undefined {
    return this.nodes.get(path);
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  /** Bytes of path names and data held, as ZooKeeper's approximate data size counts them. */
  get approximateDataSize(): number {
    return this.dataBytes;
  }

  /** Every (path, node) pair in insertion order; tolerates changes between steps (fuzzy snapshots). */
  entries(): IterableIterator<[string, ZNode]> {
    return this.nodes.entries();
  }

  ephemeralsOf(sessionId: bigint): ReadonlySet<string> {
    return this.ephemerals.get(sessionId) ?? EMPTY;
  }

  get ephemeralCount(): number {
    let n = 0;
    for (const s of this.ephemerals.values()) n += s.size;
    return n;
  }

  ephemeralSessions(): IterableIterator<[bigint, ReadonlySet<string>]> {
    return this.ephemerals.entries();
  }

  /** Descendants of `path` (not counting itself). */
  countDescendants(path: string): number {
    const node = this.nodes.get(path);
    if (!node) return 0;
    let n = 0;
    const prefix = path === '/' ? '/' : `${path}/`;
    for (const child of node.children) n += 1 + this.countDescendants(prefix + child);
    return n;
  }

  /**
   * Containers whose last child went (and that had one), and TTL nodes without children whose TTL has
   * passed since their last change: what the container sweeper deletes.
   */
  expiredContainers(now: number): string[] {
    const out: string[] = [];
    for (const path of this.containers) {
      const node = this.nodes.get(path);
      if (node && node.children.size === 0 && node.childCreates > 0) out.push(path);
    }
    for (const path of this.ttls) {
      const node = this.nodes.get(path);
      if (node && node.children.size === 0 && now - node.mtime > node.ttl) out.push(path);
    }
    return out;
  }

  /** Applies one committed transaction. `observe` hears each change in order. */
  apply(txn: Transaction, observe?: TreeObserver): ApplyResult {
    const result = this.applyBody(txn, txn.body, observe);
    if (txn.zxid > this.lastProcessedZxid) this.lastProcessedZxid = txn.zxid;
    return result;
  }

  private applyBody(meta: TxnMeta, body: TxnBody, observe?: TreeObserver): ApplyResult {
    switch (body.type) {
      case OpCode.create:
      case OpCode.create2: {
        const owner = body.ephemeral ? meta.clientId : 0n;
        return this.create(meta, body.type, body.path, body.data, body.acl, owner, 0, body.parentCVersion, observe);
      }
      case OpCode.createTTL:
        return this.create(meta, body.type, body.path, body.data, body.acl, 0n, body.ttl, body.parentCVersion, observe);
      case OpCode.createContainer:
        return this.create(
          meta,
          body.type,
          body.path,
          body.data,
          body.acl,
          CONTAINER_OWNER,
          0,
          body.parentCVersion,
          observe,
        );
      case OpCode.delete:
      case OpCode.deleteContainer:
        return { type: body.type, path: body.path, err: this.delete(body.path, meta.zxid, observe) };
      case OpCode.setData:
        return this.setData(meta, body.path, body.data, body.version, observe);
      case OpCode.setACL:
        return this.setACL(body.path, body.acl, body.version);
      case OpCode.check:
        return { type: body.type, path: body.path, err: ErrorCode.ok };
      case OpCode.createSession:
        this.sessions.set(meta.clientId, body.timeOut);
        this.noteSessionId(meta.clientId);
        return { type: body.type, err: ErrorCode.ok };
      case OpCode.closeSession:
        this.closeSession(meta, body.paths2Delete, observe);
        return { type: body.type, err: ErrorCode.ok };
      case OpCode.error:
        return { type: body.type, err: body.err };
      case OpCode.multi: {
        const multi = body.txns.map((sub) => {
          const r = this.applyBody(meta, sub, observe);
          // Later ops may change the same node: keep each op's stat as it was then.
          if (r.stat instanceof ZNode) r.stat = r.stat.stat();
          return r;
        });
        const failed = multi.find((r) => r.err !== ErrorCode.ok);
        return { type: body.type, err: failed ? failed.err : ErrorCode.ok, multi };
      }
    }
  }

  private create(
    meta: TxnMeta,
    type: number,
    path: string,
    data: Buffer | null,
    acl: readonly ACL[],
    owner: bigint,
    ttl: number,
    parentCVersion: number,
    observe?: TreeObserver,
  ): ApplyResult {
    const parentPath = parentOf(path);
    const parent = this.nodes.get(parentPath);
    if (!parent) return { type: OpCode.error, path, err: ErrorCode.noNode };
    const creates = parentCVersion === -1 ? parent.childCreates + 1 : parentCVersion;
    if (creates > parent.childCreates) {
      parent.childCreates = creates;
      parent.pzxid = meta.zxid;
    }
    if (this.nodes.has(path)) return { type: OpCode.error, path, err: ErrorCode.nodeExists };
    const node = new ZNode(ownBytes(data), this.aclCache.acquire(acl), meta.zxid, meta.time, owner, ttl);
    parent.addChild(nameOf(path));
    this.nodes.set(path, node);
    this.dataBytes += path.length + (data === null ? 0 : data.length);
    if (ttl > 0) this.ttls.add(path);
    else if (owner === CONTAINER_OWNER) this.containers.add(path);
    else if (owner !== 0n) {
      let owned = this.ephemerals.get(owner);
      if (!owned) this.ephemerals.set(owner, (owned = new Set()));
      owned.add(path);
    }
    const quotaNode = quotaNodeOf(path);
    if (quotaNode?.kind === 'limits') this.quotas.add(quotaNode.path);
    else if (quotaNode?.kind === 'stats') this.recountQuota(quotaNode.path);
    this.updateQuotaStats(path, node.dataLength, 1);
    if (observe) {
      observe(EventType.nodeCreated, path);
      observe(EventType.nodeChildrenChanged, parentPath);
    }
    return { type, path, err: ErrorCode.ok, stat: type === OpCode.create ? undefined : node };
  }

  private delete(path: string, zxid: bigint, observe?: TreeObserver): number {
    const parentPath = parentOf(path);
    const parent = this.nodes.get(parentPath);
    if (!parent) return ErrorCode.noNode;
    parent.removeChild(nameOf(path));
    if (zxid > parent.pzxid) parent.pzxid = zxid;
    const node = this.nodes.get(path);
    if (!node) return ErrorCode.noNode;
    this.nodes.delete(path);
    this.aclCache.release(node.acl);
    this.dataBytes -= path.length + (node.data === null ? 0 : node.data.length);
    if (node.ttl > 0) this.ttls.delete(path);
    else if (node.isContainer) this.containers.delete(path);
    else if (node.owner !== 0n) {
      const owned = this.ephemerals.get(node.owner);
      if (owned) {
        owned.delete(path);
        if (owned.size === 0) this.ephemerals.delete(node.owner);
      }
    }
    const quotaNode = quotaNodeOf(path);
    if (quotaNode?.kind === 'limits') this.quotas.delete(quotaNode.path);
    this.updateQuotaStats(path, -node.dataLength, -1);
    if (observe) {
      observe(EventType.nodeDeleted, path);
      observe(EventType.nodeChildrenChanged, parentPath);
    }
    return ErrorCode.ok;
  }

  private setData(
    meta: TxnMeta,
    path: string,
    data: Buffer | null,
    version: number,
    observe?: TreeObserver,
  ): ApplyResult {
    const node = this.nodes.get(path);
    if (!node) return { type: OpCode.error, path, err: ErrorCode.noNode };
    const bytesDiff = (data === null ? 0 : data.length) - node.dataLength;
    this.dataBytes += bytesDiff;
    this.updateQuotaStats(path, bytesDiff, 0);
    node.data = ownBytes(data);
    node.mtime = meta.time;
    node.mzxid = meta.zxid;
    node.version = version;
    if (observe) observe(EventType.nodeDataChanged, path);
    return { type: OpCode.setData, path, err: ErrorCode.ok, stat: node };
  }

  /** Adds a change under `path` to the stats of the quota covering it, as ZooKeeper's updateQuotaStat. */
  private updateQuotaStats(path: string, bytesDiff: number, countDiff: number): void {
    if (this.quotas.size === 0) return;
    const quotaed = quotaPrefixOf(path, (p) => this.quotas.has(p));
    if (quotaed === undefined) return;
    const stats = this.nodes.get(statPath(quotaed));
    // Between a client's creating the limits and the stats node there is nothing to keep current.
    if (!stats) return;
    const track = StatsTrack.parse(stats.data);
    track.count += countDiff;
    track.bytes += bytesDiff;
    this.setQuotaStats(stats, track);
  }

  /** Sets the stats of the quota on `quotaed` to its subtree's node count and data bytes. */
  private recountQuota(quotaed: string): void {
    const stats = this.nodes.get(statPath(quotaed));
    if (!stats) return;
    let count = 0;
    let bytes = 0;
    const pending = this.nodes.has(quotaed) ? [quotaed] : [];
    for (let p = pending.pop(); p !== undefined; p = pending.pop()) {
      const node = this.nodes.get(p)!;
      count++;
      bytes += node.dataLength;
      const prefix = p === '/' ? '/' : `${p}/`;
      for (const child of node.children) pending.push(prefix + child);
    }
    this.setQuotaStats(stats, StatsTrack.counts(count, bytes));
  }

  /** The stats node's data is the server's to keep: no version, zxid or watch changes with it. */
  private setQuotaStats(stats: ZNode, track: StatsTrack): void {
    const data = ownBytes(Buffer.from(track.toString(), 'utf8'));
    this.dataBytes += data!.length - stats.dataLength;
    stats.data = data;
  }

  private setACL(path: string, acl: readonly ACL[], version: number): ApplyResult {
    const node = this.nodes.get(path);
    if (!node) return { type: OpCode.error, path, err: ErrorCode.noNode };
    const next = this.aclCache.acquire(acl);
    this.aclCache.release(node.acl);
    node.acl = next;
    node.aversion = version;
    return { type: OpCode.setACL, path, err: ErrorCode.ok, stat: node };
  }

  private closeSession(meta: TxnMeta, listed: readonly string[], observe?: TreeObserver): void {
    const owned = [...listed, ...this.ephemeralsOf(meta.clientId)];
    for (const path of owned) {
      const node = this.nodes.get(path);
      if (node && node.owner === meta.clientId) this.delete(path, meta.zxid, observe);
    }
    this.ephemerals.delete(meta.clientId);
    this.sessions.delete(meta.clientId);
  }

  /**
   * Sets /zookeeper/config's data, where ZooKeeper shows the ensemble's configuration to clients (`config`
   * in zkCli). Not a transaction: every member writes the same text from the same server lines, so the
   * node reads alike everywhere, with version 0 as long as the membership is zoo.cfg's.
   */
  setEnsembleConfig(data: Buffer): void {
    const node = this.nodes.get(CONFIG_PATH)!;
    this.dataBytes += data.length - (node.data?.length ?? 0);
    node.data = data;
  }

  /**
   * Empties the tree (no nodes at all, not even /) before a whole snapshot is restored into it in place:
   * an ensemble server replacing its state with its leader's keeps the one tree every part of it holds.
   */
  reset(): void {
    for (const node of this.nodes.values()) this.aclCache.release(node.acl);
    this.nodes.clear();
    this.ephemerals.clear();
    this.containers.clear();
    this.ttls.clear();
    this.sessions.clear();
    this.quotas.clear();
    this.dataBytes = 0;
    this.sessionIdHighs.clear();
    this.lastProcessedZxid = 0n;
  }

  /** Restores one node read from a snapshot; children are linked by linkSnapshot. */
  restoreNode(path: string, node: ZNode): void {
    const old = this.nodes.get(path);
    if (old) this.aclCache.release(old.acl);
    this.nodes.set(path, node);
  }

  /**
   * After all snapshot nodes are restored: links each node to its parent, drops nodes whose parent
   * is missing (a fuzzy snapshot may hold a child whose parent was deleted, and the log replay
   * removes it again anyway), and rebuilds the ephemeral, container, TTL and quota indexes.
   */
  linkSnapshot(): void {
    const paths = [...this.nodes.keys()].sort((a, b) => a.length - b.length);
    this.dataBytes = 0;
    this.ephemerals.clear();
    this.containers.clear();
    this.ttls.clear();
    for (const node of this.nodes.values()) node.clearChildren();
    for (const path of paths) {
      if (path === '/') continue;
      const parent = this.nodes.get(parentOf(path));
      if (!parent) {
        this.aclCache.release(this.nodes.get(path)!.acl);
        this.nodes.delete(path);
        continue;
      }
      parent.addChild(nameOf(path));
    }
    this.quotas.clear();
    for (const [path, node] of this.nodes) {
      const quotaNode = quotaNodeOf(path);
      if (quotaNode?.kind === 'limits') this.quotas.add(quotaNode.path);
      this.dataBytes += path.length + (node.data === null ? 0 : node.data.length);
      if (node.ttl > 0) this.ttls.add(path);
      else if (node.isContainer) this.containers.add(path);
      else if (node.owner !== 0n) {
        let owned = this.ephemerals.get(node.owner);
        if (!owned) this.ephemerals.set(node.owner, (owned = new Set()));
        owned.add(path);
      }
    }
    // As ZooKeeper does on loading: the stats follow from the tree, whatever a fuzzy snapshot caught.
    for (const quotaed of this.quotas) this.recountQuota(quotaed);
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/**
 * A private, exactly sized copy of znode data. Request and log buffers are views into much larger
 * socket or file chunks, and pooled small buffers share 8 KiB slabs; keeping either would pin far
 * more memory than the data itself for as long as the znode lives.
 */
export function ownBytes(data: Buffer | null): Buffer | null {
  if (data === null) return null;
  const copy = Buffer.allocUnsafeSlow(data.length);
  data.copy(copy);
  return copy;
}
