// One znode: data, ACL, the persisted stat fields and the names of its children.
import type { Stat } from '../../protocol/zookeeper/records.js';
import type { AclSet } from './acl-set.js';

/** ephemeralOwner of container nodes (Long.MIN_VALUE). */
export const CONTAINER_OWNER = -(2n ** 63n);

/** The server id in a session id's top byte (the server that minted it). */
export function serverIdOf(sessionId: bigint): number {
  return Number(BigInt.asUintN(64, sessionId) >> 56n);
}

/** Whether an owner is a session: not 0 (persistent) and not the container marker. */
export function isSessionOwner(owner: bigint): boolean {
  return owner !== 0n && owner !== CONTAINER_OWNER;
}

const NO_CHILDREN: ReadonlySet<string> = new Set();

export class ZNode {
  /** Most znodes are leaves: their child set is only made when the first child arrives. */
  private kids: Set<string> | undefined;
  mzxid: bigint;
  mtime: number;
  version = 0;
  /**
   * Children ever created under this node: what ZooKeeper stores as its cversion, what sequential
   * names count from and what a create's parentCVersion sets. Clients see `cversion` below.
   */
  childCreates = 0;
  aversion = 0;
  pzxid: bigint;

  constructor(
    public data: Buffer | null,
    public acl: AclSet,
    readonly czxid: bigint,
    readonly ctime: number,
    /** Owning session id for ephemerals, CONTAINER_OWNER for containers, else 0. */
    readonly owner: bigint,
    /** Milliseconds for TTL nodes, else 0. */
    readonly ttl: number,
  ) {
    this.mzxid = czxid;
    this.mtime = ctime;
    this.pzxid = czxid;
  }

  get children(): ReadonlySet<string> {
    return this.kids ?? NO_CHILDREN;
  }

  addChild(name: string): void {
    (this.kids ??= new Set()).add(name);
  }

  removeChild(name: string): void {
    this.kids?.delete(name);
  }

  clearChildren(): void {
    this.kids = undefined;
  }

  get isContainer(): boolean {
    return this.owner === CONTAINER_OWNER;
  }

  /** A session-owned ephemeral (not a container or TTL node). */
  get isEphemeral(): boolean {
    return isSessionOwner(this.owner);
  }

  // With the three getters below a ZNode is itself a Stat, so replies encode it without a copy.

  /**
   * ephemeralOwner as clients see it: the owning session, else 0. ZooKeeper stores containers' and TTL
   * nodes' markers in the same field but shows them to clients as 0 (DataNode.copyStat), which a real
   * Apache ZooKeeper 3.8.0 confirms in compat/zookeeper/apache-import.test.ts.
   */
  get ephemeralOwner(): bigint {
    return this.isEphemeral ? this.owner : 0n;
  }

  get dataLength(): number {
    return this.data === null ? 0 : this.data.length;
  }

  get numChildren(): number {
    return this.children.size;
  }

  /**
   * The number of changes to the children as Apache ZooKeeper reports it (DataNode.copyStat): every
   * child created was either deleted or is still here, so creates + deletes = 2 × creates − children.
   * A delete raises it too; the built-in nodes, whose children were never created by a transaction,
   * show negative values (/ -1 and /zookeeper -2 on a new server), as ZooKeeper's do.
   */
  get cversion(): number {
    return 2 * this.childCreates - this.numChildren;
  }

  /** A copy of the stat as it is now (for results that must not follow later changes). */
  stat(): Stat {
    return {
      czxid: this.czxid,
      mzxid: this.mzxid,
      ctime: this.ctime,
      mtime: this.mtime,
      version: this.version,
      cversion: this.cversion,
      aversion: this.aversion,
      ephemeralOwner: this.ephemeralOwner,
      dataLength: this.dataLength,
      numChildren: this.numChildren,
      pzxid: this.pzxid,
    };
  }
}
