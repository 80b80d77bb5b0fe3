import { describe, expect, it } from 'vitest';
import { EventType, WatcherType } from '../../../protocol/zookeeper/codes.js';
import { WatchManager, type Watcher } from '../../../src/zookeeper/watch-manager.js';

function watcher(id: bigint): Watcher & { seen: string[] } {
  const seen: string[] = [];
  return { sessionId: id, seen, notify: (type, path) => seen.push(`${type}:${path}`) };
}

describe('WatchManager', () => {
  it('fires standard watches once', () => {
    const m = new WatchManager();
    const w = watcher(1n);
    m.addDataWatch('/a', w);
    m.trigger(EventType.nodeDataChanged, '/a');
    m.trigger(EventType.nodeDataChanged, '/a');
    expect(w.seen).toEqual([`${EventType.nodeDataChanged}:/a`]);
    expect(m.totalWatches).toBe(0);
  });

  it('tells a watcher of a delete once even when it has data and child watches', () => {
    const m = new WatchManager();
    const w = watcher(1n);
    m.addDataWatch('/a', w);
    m.addChildWatch('/a', w);
    m.trigger(EventType.nodeDeleted, '/a');
    expect(w.seen).toEqual([`${EventType.nodeDeleted}:/a`]);
  });

  it('keeps persistent watches and fires recursive ones for descendants only for node events', () => {
    const m = new WatchManager();
    const p = watcher(1n);
    const r = watcher(2n);
    m.addPersistentWatch('/a', p, false);
    m.addPersistentWatch('/a', r, true);
    m.trigger(EventType.nodeDataChanged, '/a');
    m.trigger(EventType.nodeChildrenChanged, '/a');
    m.trigger(EventType.nodeCreated, '/a/b/c');
    m.trigger(EventType.nodeChildrenChanged, '/a/b');
    m.trigger(EventType.nodeDataChanged, '/a');
    expect(p.seen).toEqual([`${EventType.nodeDataChanged}:/a`, `${EventType.nodeChildrenChanged}:/a`, `${EventType.nodeDataChanged}:/a`]);
    expect(r.seen).toEqual([`${EventType.nodeDataChanged}:/a`, `${EventType.nodeCreated}:/a/b/c`, `${EventType.nodeDataChanged}:/a`]);
  });

  it('removes watches by type and reports what it held', () => {
    const m = new WatchManager();
    const w = watcher(1n);
    m.addDataWatch('/a', w);
    m.addPersistentWatch('/a', w, true);
    expect(m.contains('/a', w, WatcherType.data)).toBe(true);
    expect(m.contains('/a', w, WatcherType.children)).toBe(false);
    expect(m.remove('/a', w, WatcherType.data)).toBe(true);
    expect(m.contains('/a', w, WatcherType.persistentRecursive)).toBe(true);
    expect(m.remove('/a', w, WatcherType.any)).toBe(true);
    expect(m.remove('/a', w, WatcherType.any)).toBe(false);
    m.trigger(EventType.nodeCreated, '/a/x');
    expect(w.seen).toEqual([]);
  });

  it('drops all watches of a closed connection', () => {
    const m = new WatchManager();
    const w = watcher(1n);
    const other = watcher(2n);
    m.addDataWatch('/a', w);
    m.addChildWatch('/b', w);
    m.addDataWatch('/a', other);
    m.removeWatcher(w);
    expect(m.totalWatches).toBe(1);
    expect([...m.bySession()]).toEqual([[2n, ['/a']]]);
  });
});
