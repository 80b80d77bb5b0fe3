// The client's side of watches (ZooKeeper's ZKWatchManager): which callbacks wait on which path, which of
// them an event fires, and the lists a reconnect hands back to the server in SetWatches. One-shot
// watches are dropped as they fire; persistent and recursive ones stay until removed. Paths here are
// client paths (chroot already stripped).
import { EventType, WatcherType } from '../../../protocol/zookeeper/codes.js';
import { parentOf } from '../../../protocol/zookeeper/path.js';

export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive';

export interface WatchedEvent {
  type: EventType;
  /** Client path (under the chroot). */
  path: string;
}

export type Watcher = (event: WatchedEvent) => void;

const KINDS: readonly WatchKind[] = ['data', 'exist', 'child', 'persistent', 'persistentRecursive'];

/** The kinds a removeWatches/checkWatches watcher type covers. */
export function kindsOf(type: number): readonly WatchKind[] {
  switch (type) {
    case WatcherType.children:
      return ['child'];
    case WatcherType.data:
      return ['data', 'exist'];
    case WatcherType.persistent:
      return ['persistent'];
    case WatcherType.persistentRecursive:
      return ['persistentRecursive'];
    default:
      return KINDS;
  }
}

/** The event a removed watch of `kind` is told about. */
export function removedEventOf(kind: WatchKind): EventType {
  if (kind === 'child') return EventType.childWatchRemoved;
  if (kind === 'data' || kind === 'exist') return EventType.dataWatchRemoved;
  return EventType.persistentWatchRemoved;
}

export class WatchRegistry {
  private readonly byKind = new Map<WatchKind, Map<string, Set<Watcher>>>(KINDS.map((k) => [k, new Map()]));

  add(kind: WatchKind, path: string, watcher: Watcher): void {
    const paths = this.byKind.get(kind)!;
    let set = paths.get(path);
    if (!set) paths.set(path, (set = new Set()));
    set.add(watcher);
  }

  /** Whether any watch of `kind` waits on `path`. */
  has(kind: WatchKind, path: string): boolean {
    return this.byKind.get(kind)!.has(path);
  }

  /** Whether any watch of any kind waits on `path`. */
  hasAny(path: string): boolean {
    return KINDS.some((k) => this.has(k, path));
  }

  get isEmpty(): boolean {
    for (const paths of this.byKind.values()) if (paths.size > 0) return false;
    return true;
  }

  /** The watchers a server event fires, one-shot ones removed, each watcher once. */
  fire(type: EventType, path: string): Set<Watcher> {
    const out = new Set<Watcher>();
    const take = (kind: WatchKind): void => {
      const paths = this.byKind.get(kind)!;
      const set = paths.get(path);
      if (!set) return;
      paths.delete(path);
      for (const w of set) out.add(w);
    };
    switch (type) {
      case EventType.nodeCreated:
      case EventType.nodeDataChanged:
        take('data');
        take('exist');
        break;
      case EventType.nodeChildrenChanged:
        take('child');
        break;
      case EventType.nodeDeleted:
        take('data');
        take('exist');
        take('child');
        break;
      default:
        return out;
    }
    for (const w of this.byKind.get('persistent')!.get(path) ?? []) out.add(w);
    // A recursive watch sees every node below it, but not child-list changes (ZooKeeper's rule).
    if (type !== EventType.nodeChildrenChanged) {
      const recursive = this.byKind.get('persistentRecursive')!;
      for (let p = path; ; p = parentOf(p)) {
        for (const w of recursive.get(p) ?? []) out.add(w);
        if (p === '/') break;
      }
    }
    return out;
  }

  /**
   * Removes watches of `kinds` on `path` (only `watcher`'s when given); returns what was removed, by kind,
   * so the removed watchers can be told.
   */
  remove(path: string, kinds: readonly WatchKind[], watcher?: Watcher): Map<WatchKind, Set<Watcher>> {
    const removed = new Map<WatchKind, Set<Watcher>>();
    for (const kind of kinds) {
      const paths = this.byKind.get(kind)!;
      const set = paths.get(path);
      if (!set) continue;
      if (watcher === undefined) {
        removed.set(kind, set);
        paths.delete(path);
      } else if (set.delete(watcher)) {
        removed.set(kind, new Set([watcher]));
        if (set.size === 0) paths.delete(path);
      }
    }
    return removed;
  }

  /** The paths of each kind with watches, for SetWatches after a reconnect. */
  paths(kind: WatchKind): string[] {
    return [...this.byKind.get(kind)!.keys()];
  }

  /** Every watcher, each once; the registry is emptied (the session ended). */
  clear(): Set<Watcher> {
    const all = new Set<Watcher>();
    for (const paths of this.byKind.values()) {
      for (const set of paths.values()) for (const w of set) all.add(w);
      paths.clear();
    }
    return all;
  }
}

