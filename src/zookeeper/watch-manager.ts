// Watches, kept as ZooKeeper keeps them: a data table (getData/exists watches, persistent and
// persistent-recursive watches) and a child table (getChildren watches, persistent watches). A
// standard watch fires once; persistent ones stay; a recursive one also fires for changes below its
// path. Watchers are connections: a watch lives as long as the connection that set it.
import { EventType, WatcherType } from '../../protocol/zookeeper/codes.js';

export interface Watcher {
  readonly sessionId: bigint;
  notify(type: EventType, path: string): void;
}

const STANDARD = 1;
const PERSISTENT = 2;
const RECURSIVE = 4;
const ALL_MODES = STANDARD | PERSISTENT | RECURSIVE;

class WatchTable {
  readonly byPath = new Map<string, Map<Watcher, number>>();
  readonly byWatcher = new Map<Watcher, Map<string, number>>();
  private recursive = 0;

  add(path: string, w: Watcher, mode: number): void {
    let watchers = this.byPath.get(path);
    if (!watchers) this.byPath.set(path, (watchers = new Map()));
    const before = watchers.get(w) ?? 0;
    if ((before & mode) === mode) return;
    watchers.set(w, before | mode);
    let paths = this.byWatcher.get(w);
    if (!paths) this.byWatcher.set(w, (paths = new Map()));
    paths.set(path, before | mode);
    if (mode & RECURSIVE && !(before & RECURSIVE)) this.recursive++;
  }

  private set(path: string, w: Watcher, modes: number, watchers: Map<Watcher, number>): void {
    const before = watchers.get(w) ?? 0;
    if (before & RECURSIVE && !(modes & RECURSIVE)) this.recursive--;
    const paths = this.byWatcher.get(w);
    if (modes === 0) {
      watchers.delete(w);
      if (watchers.size === 0) this.byPath.delete(path);
      paths?.delete(path);
      if (paths?.size === 0) this.byWatcher.delete(w);
    } else {
      watchers.set(w, modes);
      paths?.set(path, modes);
    }
  }

  /**
   * Fires the watches on `path` (standard ones are used up) and recursive watches on its ancestors;
   * returns who was notified. `skip` holds watchers already told of this change.
   */
  trigger(path: string, type: EventType, skip?: ReadonlySet<Watcher>): Set<Watcher> | undefined {
    let fired: Set<Watcher> | undefined;
    const here = this.byPath.get(path);
    if (here) {
      fired = new Set(here.keys());
      for (const [w, modes] of here) if (modes & STANDARD) this.set(path, w, modes & ~STANDARD, here);
    }
    if (this.recursive > 0 && path !== '/') {
      for (let at = path.lastIndexOf('/'); at >= 0; at = at === 0 ? -1 : path.lastIndexOf('/', at - 1)) {
        const watchers = this.byPath.get(at === 0 ? '/' : path.slice(0, at));
        if (!watchers) continue;
        for (const [w, modes] of watchers) {
          if (modes & RECURSIVE) (fired ??= new Set()).add(w);
        }
      }
    }
    if (fired) for (const w of fired) if (!skip?.has(w)) w.notify(type, path);
    return fired;
  }

  has(path: string, w: Watcher, modes: number): boolean {
    return ((this.byPath.get(path)?.get(w) ?? 0) & modes) !== 0;
  }

  /** Clears `modes` of w's watch on path; true if any was set. */
  remove(path: string, w: Watcher, modes: number): boolean {
    const watchers = this.byPath.get(path);
    const before = watchers?.get(w) ?? 0;
    if (!watchers || (before & modes) === 0) return false;
    this.set(path, w, before & ~modes, watchers);
    return true;
  }

  removeWatcher(w: Watcher): void {
    const paths = this.byWatcher.get(w);
    if (!paths) return;
    for (const path of [...paths.keys()]) this.remove(path, w, ALL_MODES);
  }

  get watchCount(): number {
    let n = 0;
    for (const paths of this.byWatcher.values()) n += paths.size;
    return n;
  }
}

export class WatchManager {
  private readonly data = new WatchTable();
  private readonly child = new WatchTable();

  /** getData or exists with watch=true (exists may watch a node that does not exist yet). */
  addDataWatch(path: string, w: Watcher): void {
    this.data.add(path, w, STANDARD);
  }

  addChildWatch(path: string, w: Watcher): void {
    this.child.add(path, w, STANDARD);
  }

  /** addWatch: persistent (data and children of path) or persistent-recursive (path and below). */
  addPersistentWatch(path: string, w: Watcher, recursive: boolean): void {
    if (recursive) this.data.add(path, w, RECURSIVE);
    else {
      this.data.add(path, w, PERSISTENT);
      this.child.add(path, w, PERSISTENT);
    }
  }

  /** Delivers a change the tree reports to every watch waiting for it. */
  trigger(type: EventType, path: string): void {
    switch (type) {
      case EventType.nodeCreated:
      case EventType.nodeDataChanged:
        this.data.trigger(path, type);
        break;
      case EventType.nodeDeleted: {
        const told = this.data.trigger(path, type);
        this.child.trigger(path, type, told);
        break;
      }
      case EventType.nodeChildrenChanged:
        this.child.trigger(path, type);
        break;
      default:
        break;
    }
  }

  /** removeWatches: whether a watch of `type` on path was there to remove. */
  remove(path: string, w: Watcher, type: number): boolean {
    switch (type) {
      case WatcherType.children:
        return this.child.remove(path, w, STANDARD);
      case WatcherType.data:
        return this.data.remove(path, w, STANDARD);
      case WatcherType.persistent: {
        const c = this.child.remove(path, w, PERSISTENT);
        return this.data.remove(path, w, PERSISTENT) || c;
      }
      case WatcherType.persistentRecursive:
        return this.data.remove(path, w, RECURSIVE);
      case WatcherType.any: {
        const c = this.child.remove(path, w, ALL_MODES);
        return this.data.remove(path, w, ALL_MODES) || c;
      }
      default:
        return false;
    }
  }

  /** checkWatches: whether w holds a watch of `type` on path. */
  contains(path: string, w: Watcher, type: number): boolean {
    switch (type) {
      case WatcherType.children:
        return this.child.has(path, w, STANDARD);
      case WatcherType.data:
        return this.data.has(path, w, STANDARD);
      case WatcherType.persistent:
        return this.data.has(path, w, PERSISTENT);
      case WatcherType.persistentRecursive:
        return this.data.has(path, w, RECURSIVE);
      case WatcherType.any:
        return this.child.has(path, w, ALL_MODES) || this.data.has(path, w, ALL_MODES);
      default:
        return false;
    }
  }

  /** Drops every watch a closed connection held. */
  removeWatcher(w: Watcher): void {
    this.data.removeWatcher(w);
    this.child.removeWatcher(w);
  }

  /** Watch counts for stats: data-table watches, as ZooKeeper's wchs reports them. */
  summary(): { connections: number; paths: number; watches: number } {
    return { connections: this.data.byWatcher.size, paths: this.data.byPath.size, watches: this.data.watchCount };
  }

  get totalWatches(): number {
    return this.data.watchCount + this.child.watchCount;
  }

  /** (session id, paths) for every connection holding watches, for wchc. */
  *bySession(): Generator<[bigint, string[]]> {
    const all = new Map<Watcher, Set<string>>();
    for (const table of [this.data, this.child]) {
      for (const [w, paths] of table.byWatcher) {
        let set = all.get(w);
        if (!set) all.set(w, (set = new Set()));
        for (const p of paths.keys()) set.add(p);
      }
    }
    for (const [w, paths] of all) yield [w.sessionId, [...paths]];
  }

  /** (path, session ids) for every watched path, for wchp. */
  *byPath(): Generator<[string, bigint[]]> {
    const all = new Map<string, Set<bigint>>();
    for (const table of [this.data, this.child]) {
      for (const [path, watchers] of table.byPath) {
        let set = all.get(path);
        if (!set) all.set(path, (set = new Set()));
        for (const w of watchers.keys()) set.add(w.sessionId);
      }
    }
    for (const [path, ids] of all) yield [path, [...ids]];
  }
}
