// Which client watches a server event fires, as ZooKeeper's client decides it.
import { describe, expect, it } from 'vitest';
import { EventType, WatcherType } from '../../../protocol/zookeeper/codes.js';
import { kindsOf, WatchRegistry, type Watcher } from '../../../src/zookeeper/client/watch-registry.js';

const w = (): Watcher => () => {};

describe('WatchRegistry', () => {
  it('fires one-shot data and exist watches on change and creation, then forgets them', () => {
    const reg = new WatchRegistry();
    const data = w();
    const exist = w();
    reg.add('data', '/a', data);
    reg.add('exist', '/a', exist);
    expect([...reg.fire(EventType.nodeDataChanged, '/a')]).toEqual([data, exist]);
    expect(reg.fire(EventType.nodeDataChanged, '/a').size).toBe(0);
    expect(reg.isEmpty).toBe(true);
  });

  it('fires child watches on child changes and every one-shot kind on deletion', () => {
    const reg = new WatchRegistry();
    const child = w();
    const data = w();
    reg.add('child', '/a', child);
    reg.add('data', '/a', data);
    expect([...reg.fire(EventType.nodeChildrenChanged, '/a')]).toEqual([child]);
    reg.add('child', '/a', child);
    expect(new Set(reg.fire(EventType.nodeDeleted, '/a'))).toEqual(new Set([child, data]));
  });

  it('keeps persistent watches, and fires recursive ones for descendants but not for child lists', () => {
    const reg = new WatchRegistry();
    const p = w();
    const r = w();
    reg.add('persistent', '/a', p);
    reg.add('persistentRecursive', '/', r);
    expect([...reg.fire(EventType.nodeChildrenChanged, '/a')]).toEqual([p]);
    expect([...reg.fire(EventType.nodeCreated, '/a/b/c')]).toEqual([r]);
    expect([...reg.fire(EventType.nodeDataChanged, '/a')]).toEqual([p, r]);
    expect(reg.paths('persistent')).toEqual(['/a']);
    expect(reg.paths('persistentRecursive')).toEqual(['/']);
  });

  it('removes one watcher or all of the kinds a watcher type names', () => {
    const reg = new WatchRegistry();
    const a = w();
    const b = w();
    reg.add('data', '/x', a);
    reg.add('data', '/x', b);
    reg.add('child', '/x', a);
    expect([...reg.remove('/x', kindsOf(WatcherType.data), a).keys()]).toEqual(['data']);
    expect(reg.has('data', '/x')).toBe(true);
    expect([...reg.remove('/x', kindsOf(WatcherType.any)).keys()].sort()).toEqual(['child', 'data']);
    expect(reg.hasAny('/x')).toBe(false);
  });
});
