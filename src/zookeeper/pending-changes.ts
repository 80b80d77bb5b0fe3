// What validation sees: the applied tree overlaid with the effect of every transaction validated but
// not yet applied (ZooKeeper's outstandingChanges). Writes are checked against this view, so a write
// queued behind another that is still being logged sees its effect (versions, existence, sequence
// numbers), while reads keep seeing only the applied tree.
import type { DataTree } from '../znode/data-tree.js';
import type { AclView } from './acl.js';
import { Fifo } from './fifo.js';

/** The facts about a node that validating a write depends on (a ZNode is one). */
export interface NodeView {
  readonly version: number;
  /** Children ever created (ZNode.childCreates): sequential names and parentCVersion count from it. */
  readonly childCreates: number;
  readonly aversion: number;
  /** Session id for ephemerals, CONTAINER_OWNER for containers, else 0. */
  readonly owner: bigint;
  readonly ttl: number;
  readonly numChildren: number;
  readonly acl: AclView;
  readonly data: Buffer | null;
}

/** `view` with some facts changed, as a plain record (a ZNode's getters do not spread). */
export function changedView(view: NodeView, changes: Partial<NodeView>): NodeView {
  return {
    version: changes.version ?? view.version,
    childCreates: changes.childCreates ?? view.childCreates,
    aversion: changes.aversion ?? view.aversion,
    owner: view.owner,
    ttl: view.ttl,
    numChildren: changes.numChildren ?? view.numChildren,
    acl: changes.acl ?? view.acl,
    data: 'data' in changes ? changes.data! : view.data,
  };
}

interface ChangeRecord {
  readonly zxid: bigint;
  readonly path: string;
  /** null: the node is deleted. */
  readonly view: NodeView | null;
  /** The node as it was before this change (undefined: it did not exist). */
  readonly before: NodeView | undefined;
  /** The record this one replaced for the same path, restored if a multi rolls back. */
  readonly prev: ChangeRecord | undefined;
}

export class PendingChanges {
  private readonly byPath = new Map<string, ChangeRecord>();
  private readonly queue = new Fifo<ChangeRecord>();

  constructor(private readonly tree: DataTree) {}

  /** The node at `path` as it will be once every validated transaction is applied. */
  get(path: string): NodeView | undefined {
    const change = this.byPath.get(path);
    if (change) return change.view ?? undefined;
    return this.tree.get(path);
  }

  /** Records that transaction `zxid` leaves `path` as `view` (null: deleted). */
  set(zxid: bigint, path: string, view: NodeView | null): void {
    const rec: ChangeRecord = { zxid, path, view, before: this.get(path), prev: this.byPath.get(path) };
    this.byPath.set(path, rec);
    this.queue.push(rec);
  }

  /** Changes not yet applied. */
  get size(): number {
    return this.queue.size;
  }

  /** A point to roll back to if a multi fails part way. */
  mark(): number {
    return this.queue.size;
  }

  rollback(mark: number): void {
    for (const rec of this.queue.popTo(mark)) {
      if (this.byPath.get(rec.path) !== rec) continue;
      if (rec.prev) this.byPath.set(rec.path, rec.prev);
      else this.byPath.delete(rec.path);
    }
  }

  /** Transactions up to `zxid` are now in the tree: their records are no longer needed. */
  applied(zxid: bigint): void {
    for (let rec = this.queue.peek(); rec && rec.zxid <= zxid; rec = this.queue.peek()) {
      this.queue.shift();
      if (this.byPath.get(rec.path) === rec) this.byPath.delete(rec.path);
    }
  }

  /**
   * Forgets every change: an ensemble leader that steps down cannot know which of its proposals will
   * commit, and the next leader validates against its own applied tree.
   */
  clear(): void {
    this.byPath.clear();
    this.queue.popTo(0);
  }

  /** Nodes and data bytes that pending transactions add to the subtree at `path` (negative: remove). */
  pendingUsage(path: string): { count: number; bytes: number } {
    let count = 0;
    let bytes = 0;
    const below = `${path}/`;
    for (const rec of this.queue) {
      if (rec.path !== path && !rec.path.startsWith(below)) continue;
      count += (rec.view ? 1 : 0) - (rec.before ? 1 : 0);
      bytes += (rec.view?.data?.length ?? 0) - (rec.before?.data?.length ?? 0);
    }
    return { count, bytes };
  }

  /** The ephemerals `sessionId` will own once pending transactions apply. */
  ephemeralsOf(sessionId: bigint): Set<string> {
    const owned = new Set(this.tree.ephemeralsOf(sessionId));
    for (const rec of this.queue) {
      if (rec.view === null) owned.delete(rec.path);
      else if (rec.view.owner === sessionId) owned.add(rec.path);
    }
    return owned;
  }
}
