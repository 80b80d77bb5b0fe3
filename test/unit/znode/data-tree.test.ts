import { describe, expect, it } from 'vitest';
import { ErrorCode, EventType, OpCode } from '../../../protocol/zookeeper/codes.js';
import type { Transaction, TxnBody } from '../../../protocol/zookeeper/txn.js';
import { Reader, Writer } from '../../../protocol/bytes.js';
import { DataTree } from '../../../src/znode/data-tree.js';
import { StatsTrack } from '../../../src/znode/quota.js';
import { decodeTreeInto, encodeTree, readNodes, readSessions, writeEnd, writeNode } from '../../../src/znode/snapshot-codec.js';
import { CONTAINER_OWNER } from '../../../src/znode/znode.js';

const acl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
let zxid = 0n;
function txn(body: TxnBody, clientId = 7n, time = 1000): Transaction {
  return { clientId, cxid: 1, zxid: ++zxid, time, body };
}
interface CreateExtra {
  ephemeral: boolean;
  data: Buffer;
  type: typeof OpCode.create | typeof OpCode.create2;
}
function create(path: string, parentCVersion: number, extra: Partial<CreateExtra> = {}): TxnBody {
  return {
    type: extra.type ?? OpCode.create,
    path,
    data: extra.data ?? Buffer.from('d'),
    acl,
    ephemeral: extra.ephemeral ?? false,
    parentCVersion,
  };
}

describe('DataTree', () => {
  it('starts with /, /zookeeper, /zookeeper/quota and a read-only /zookeeper/config', () => {
    const t = new DataTree();
    expect([...t.get('/')!.children]).toEqual(['zookeeper']);
    expect([...t.get('/zookeeper')!.children].sort()).toEqual(['config', 'quota']);
    expect(t.get('/zookeeper/config')!.acl.worldPerms).toBe(1);
    expect(t.nodeCount).toBe(4);
  });

  it('keeps each server\'s highest session id ever created, across closes and snapshots, and reads the older one-id layout', () => {
    const t = new DataTree();
    const s1 = (1n << 56n) | 5n;
    const s2 = (2n << 56n) | 9n;
    t.apply(txn({ type: OpCode.createSession, timeOut: 4000 }, s1 + 1n));
    t.apply(txn({ type: OpCode.createSession, timeOut: 4000 }, s2));
    t.apply(txn({ type: OpCode.closeSession, paths2Delete: [] }, s1 + 1n));
    // Closed, but its id stays used: so does every id below it from the same server, and no other's.
    expect([t.sessionIdUsed(s1 + 1n), t.sessionIdUsed(s1), t.sessionIdUsed(s1 + 2n), t.sessionIdUsed(s2 + 1n)]).toEqual([true, true, false, false]);
    const copy = new DataTree();
    decodeTreeInto(copy, encodeTree(t));
    expect([copy.lastSessionIdOf(1), copy.lastSessionIdOf(2), copy.lastSessionIdOf(3)]).toEqual([s1 + 1n, s2, undefined]);
    // A snapshot written before: the highest id of all, then the session table.
    const old = new DataTree();
    readSessions(new Reader(new Writer().bigint64(s2).int32(0).toBuffer()), old);
    expect([old.lastSessionIdOf(2), old.lastSessionIdOf(1)]).toEqual([s2, undefined]);
  });

  it('reports cversion as Apache ZooKeeper 3.8.0 does: creates plus deletes, negative for the built-in nodes', () => {
    const t = new DataTree();
    // Values read from a new Apache ZooKeeper 3.8.0 server.
    expect([t.get('/')!.cversion, t.get('/zookeeper')!.cversion, t.get('/zookeeper/config')!.cversion]).toEqual([-1, -2, 0]);
    t.apply(txn(create('/p', 1)));
    t.apply(txn(create('/p/a', 1)));
    t.apply(txn(create('/p/b', 2)));
    t.apply(txn({ type: OpCode.delete, path: '/p/a' }));
    // ZooKeeper showed cversion 3 after two creates and a delete, and named the next sequential child from 2.
    expect(t.get('/p')!.stat()).toMatchObject({ cversion: 3, numChildren: 1 });
    expect(t.get('/p')!.childCreates).toBe(2);
    // An ephemeral's removal with its session counts as a delete too (ZooKeeper: 7, then 8 on close).
    t.apply(txn({ type: OpCode.createSession, timeOut: 4000 }, 5n));
    t.apply(txn(create('/p/e', 3, { ephemeral: true }), 5n));
    expect(t.get('/p')!.cversion).toBe(4);
    t.apply(txn({ type: OpCode.closeSession, paths2Delete: ['/p/e'] }, 5n));
    expect(t.get('/p')!.cversion).toBe(5);
  });

  it('creates nodes with every stat field from the transaction and bumps the parent', () => {
    const t = new DataTree();
    const r = t.apply(txn(create('/a', 1, { type: OpCode.create2 }), 7n, 5000));
    expect(r.err).toBe(ErrorCode.ok);
    expect(r.stat).toMatchObject({
      czxid: zxid,
      mzxid: zxid,
      pzxid: zxid,
      ctime: 5000,
      mtime: 5000,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      dataLength: 1,
      numChildren: 0,
    });
    const root = t.get('/')!;
    // One child created; / also holds /zookeeper, which no transaction created: 2 × 1 − 2 children.
    expect(root.childCreates).toBe(1);
    expect(root.cversion).toBe(0);
    expect(root.pzxid).toBe(zxid);
    expect(t.lastProcessedZxid).toBe(zxid);
  });

  it('changes data and ACL versions as the transaction says and reports events in order', () => {
    const t = new DataTree();
    const events: string[] = [];
    const obs = (type: number, path: string) => events.push(`${type}:${path}`);
    t.apply(txn(create('/a', 1)), obs);
    const set = t.apply(txn({ type: OpCode.setData, path: '/a', data: Buffer.from('xyz'), version: 1 }, 7n, 2000), obs);
    expect(set.stat).toMatchObject({ version: 1, mzxid: zxid, mtime: 2000, dataLength: 3 });
    const acl2 = [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }];
    const setAcl = t.apply(txn({ type: OpCode.setACL, path: '/a', acl: acl2, version: 1 }), obs);
    expect(setAcl.stat!.aversion).toBe(1);
    expect(t.get('/a')!.acl.worldPerms).toBe(1);
    t.apply(txn({ type: OpCode.delete, path: '/a' }), obs);
    expect(events).toEqual([
      `${EventType.nodeCreated}:/a`,
      `${EventType.nodeChildrenChanged}:/`,
      `${EventType.nodeDataChanged}:/a`,
      `${EventType.nodeDeleted}:/a`,
      `${EventType.nodeChildrenChanged}:/`,
    ]);
    expect(t.get('/a')).toBeUndefined();
    // A delete raises the parent's pzxid and its cversion as clients see it (one create, one delete).
    expect(t.get('/')!.pzxid).toBe(zxid);
    expect(t.get('/')!.childCreates).toBe(1);
    expect(t.get('/')!.cversion).toBe(1);
  });

  it('indexes ephemerals by session and removes them when the session closes', () => {
    const t = new DataTree();
    t.apply(txn({ type: OpCode.createSession, timeOut: 4000 }, 42n));
    t.apply(txn(create('/e1', 1, { ephemeral: true }), 42n));
    t.apply(txn(create('/e2', 2, { ephemeral: true }), 42n));
    t.apply(txn(create('/p', 3), 42n));
    expect(t.sessions.get(42n)).toBe(4000);
    expect([...t.ephemeralsOf(42n)].sort()).toEqual(['/e1', '/e2']);
    expect(t.get('/e1')!.stat().ephemeralOwner).toBe(42n);
    const deleted: string[] = [];
    t.apply(txn({ type: OpCode.closeSession, paths2Delete: ['/e1'] }, 42n), (type, path) => {
      if (type === EventType.nodeDeleted) deleted.push(path);
    });
    expect(deleted.sort()).toEqual(['/e1', '/e2']);
    expect(t.get('/p')).toBeDefined();
    expect(t.ephemeralsOf(42n).size).toBe(0);
    expect(t.sessions.has(42n)).toBe(false);
  });

  it('applies a multi op by op with a result each', () => {
    const t = new DataTree();
    const r = t.apply(
      txn({
        type: OpCode.multi,
        txns: [
          create('/m', 1, { type: OpCode.create2 }),
          create('/m/x', 1),
          { type: OpCode.setData, path: '/m', data: null, version: 1 },
          { type: OpCode.check, path: '/m', version: 1 },
          { type: OpCode.delete, path: '/m/x' },
        ],
      }),
    );
    expect(r.err).toBe(ErrorCode.ok);
    expect(r.multi!.map((m) => m.type)).toEqual([OpCode.create2, OpCode.create, OpCode.setData, OpCode.check, OpCode.delete]);
    expect(r.multi![2]!.stat).toMatchObject({ version: 1, dataLength: 0, numChildren: 1 });
    expect(t.get('/m')!.data).toBeNull();
  });

  it('finds containers whose last child went and TTL nodes past their TTL', () => {
    const t = new DataTree();
    t.apply(txn({ type: OpCode.createContainer, path: '/c', data: null, acl, parentCVersion: 1 }, 7n, 0));
    t.apply(txn({ type: OpCode.createContainer, path: '/fresh', data: null, acl, parentCVersion: 2 }, 7n, 0));
    t.apply(txn({ type: OpCode.createTTL, path: '/t', data: null, acl, parentCVersion: 3, ttl: 500 }, 7n, 1000));
    // Stored as ZooKeeper stores them; clients see 0 for both, as ZooKeeper shows them.
    expect([t.get('/c')!.owner, t.get('/t')!.ttl]).toEqual([CONTAINER_OWNER, 500]);
    expect([t.get('/c')!.stat().ephemeralOwner, t.get('/t')!.stat().ephemeralOwner]).toEqual([0n, 0n]);
    t.apply(txn(create('/c/child', 1)));
    expect(t.expiredContainers(1200)).toEqual([]);
    t.apply(txn({ type: OpCode.delete, path: '/c/child' }));
    expect(t.expiredContainers(1200)).toEqual(['/c']);
    expect(t.expiredContainers(1501)).toEqual(['/c', '/t']);
  });

  it('replays over a fuzzy snapshot: existing creates and missing deletes only fix the parent', () => {
    const t = new DataTree();
    t.apply(txn(create('/a', 1)));
    const again = t.apply(txn(create('/a', 5)));
    expect(again.err).toBe(ErrorCode.nodeExists);
    expect(t.get('/')!.childCreates).toBe(5);
    expect(t.get('/')!.pzxid).toBe(zxid);
    const gone = t.apply(txn({ type: OpCode.delete, path: '/nope' }));
    expect(gone.err).toBe(ErrorCode.noNode);
    expect(t.get('/')!.pzxid).toBe(zxid);
  });

  it('keeps data-size accounting and shares equal ACL lists', () => {
    const t = new DataTree();
    const before = t.approximateDataSize;
    t.apply(txn(create('/s', 1, { data: Buffer.alloc(10) })));
    t.apply(txn(create('/s2', 2, { data: Buffer.alloc(5) })));
    expect(t.approximateDataSize - before).toBe(2 + 10 + 3 + 5);
    expect(t.get('/s')!.acl).toBe(t.get('/s2')!.acl);
    t.apply(txn({ type: OpCode.delete, path: '/s' }));
    t.apply(txn({ type: OpCode.delete, path: '/s2' }));
    expect(t.approximateDataSize).toBe(before);
  });

  it('keeps a quota’s zookeeper_stats current on every create, setData and delete under it', () => {
    const t = new DataTree();
    const text = (path: string) => t.get(path)!.data!.toString();
    const stats = '/zookeeper/quota/q/zookeeper_stats';
    t.apply(txn(create('/q', -1, { data: Buffer.from('12345') })));
    t.apply(txn(create('/q/a', -1, { data: Buffer.from('abc') })));
    // What zkCli's setquota writes: the quota nodes, the limits, then stats it expects the server to fill.
    t.apply(txn(create('/zookeeper/quota/q', -1, { data: Buffer.alloc(0) })));
    t.apply(txn(create('/zookeeper/quota/q/zookeeper_limits', -1, { data: Buffer.from('count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=3') })));
    t.apply(txn(create(stats, -1, { data: Buffer.from('count=0,bytes=0') })));
    expect(text(stats)).toBe('count=2,bytes=8');
    const before = { ...t.get(stats)!.stat() };
    t.apply(txn(create('/q/a/b', -1, { data: Buffer.from('xy') }), 9n));
    expect(text(stats)).toBe('count=3,bytes=10');
    t.apply(txn({ type: OpCode.setData, path: '/q/a', data: Buffer.from('abcdefgh'), version: 1 }));
    expect(text(stats)).toBe('count=3,bytes=15');
    t.apply(txn({ type: OpCode.delete, path: '/q/a/b' }));
    expect(text(stats)).toBe('count=2,bytes=13');
    // Outside the quota'd subtree, including a sibling sharing the name's prefix, nothing changes.
    t.apply(txn(create('/qq', -1)));
    expect(text(stats)).toBe('count=2,bytes=13');
    // Server bookkeeping, not a client write: versions and zxids stay, only the data (length) moves.
    expect(t.get(stats)!.stat()).toMatchObject({ ...before, dataLength: 'count=2,bytes=13'.length });
    // Removing the limits node ends the tracking.
    t.apply(txn({ type: OpCode.delete, path: '/zookeeper/quota/q/zookeeper_limits' }));
    t.apply(txn(create('/q/c', -1)));
    expect(text(stats)).toBe('count=2,bytes=13');
  });

  it('counts ephemerals a closing session removes against their quota', () => {
    const t = new DataTree();
    t.apply(txn(create('/e', -1, { data: Buffer.alloc(0) })));
    t.apply(txn(create('/zookeeper/quota/e', -1)));
    t.apply(txn(create('/zookeeper/quota/e/zookeeper_limits', -1, { data: Buffer.from('count=10,bytes=-1') })));
    t.apply(txn(create('/zookeeper/quota/e/zookeeper_stats', -1)));
    t.apply(txn(create('/e/x', -1, { ephemeral: true, data: Buffer.from('1234') }), 42n));
    expect(t.get('/zookeeper/quota/e/zookeeper_stats')!.data!.toString()).toBe('count=2,bytes=4');
    t.apply(txn({ type: OpCode.closeSession, paths2Delete: [] }, 42n));
    expect(t.get('/zookeeper/quota/e/zookeeper_stats')!.data!.toString()).toBe('count=1,bytes=0');
  });

  it('recounts quota stats when loading a snapshot, whatever the snapshot held', () => {
    const t = new DataTree();
    t.apply(txn(create('/l', -1, { data: Buffer.from('1') })));
    t.apply(txn(create('/l/m', -1, { data: Buffer.from('22') })));
    t.apply(txn(create('/zookeeper/quota/l', -1)));
    t.apply(txn(create('/zookeeper/quota/l/zookeeper_limits', -1, { data: Buffer.from('count=5,bytes=-1') })));
    t.apply(txn(create('/zookeeper/quota/l/zookeeper_stats', -1)));
    // A fuzzy snapshot may catch the stats out of step with the nodes.
    t.get('/zookeeper/quota/l/zookeeper_stats')!.data = Buffer.from('count=99,bytes=99');
    const w = new Writer();
    for (const [path, node] of t.entries()) writeNode(w, path, node);
    writeEnd(w);
    const loaded = new DataTree();
    readNodes(new Reader(w.toBuffer()), loaded);
    loaded.linkSnapshot();
    expect(loaded.get('/zookeeper/quota/l/zookeeper_stats')!.data!.toString()).toBe('count=2,bytes=3');
    loaded.apply(txn(create('/l/n', -1, { data: Buffer.from('333') })));
    expect(loaded.get('/zookeeper/quota/l/zookeeper_stats')!.data!.toString()).toBe('count=3,bytes=6');
  });
});

describe('StatsTrack', () => {
  it('reads and writes ZooKeeper’s quota text, hard limits after a stray = in key order', () => {
    const limits = StatsTrack.parse(Buffer.from('count=-1,bytes=-1=;byteHardLimit=10;countHardLimit=3'));
    expect([limits.count, limits.bytes, limits.countHardLimit, limits.byteHardLimit]).toEqual([-1, -1, 3, 10]);
    expect(limits.toString()).toBe('count=-1,bytes=-1=;byteHardLimit=10;countHardLimit=3');
    expect(StatsTrack.parse(Buffer.from('count=4,bytes=12')).toString()).toBe('count=4,bytes=12');
    expect(StatsTrack.counts(0, 0).toString()).toBe('count=0,bytes=0');
    // Missing or unparsable fields read as absent (-1), as StatsTrack's getters report them.
    const odd = StatsTrack.parse(Buffer.from('count=x;bytes'));
    expect([odd.count, odd.bytes, odd.countHardLimit]).toEqual([-1, -1, -1]);
    expect(StatsTrack.parse(null).toString()).toBe('count=-1,bytes=-1');
  });
});
