// Skein's ZooKeeper client against a server: every operation, chroot, watches, and sessions that survive
// (or do not survive) a broken network. The same suite runs against Skein's server (skein.test.ts) and
// against Apache ZooKeeper 3.8 (compat/zookeeper/skein-client.test.ts), so it proves the client speaks
// ZooKeeper, not just Skein.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, EventType, KeeperError, Perms, WatcherType } from '../../../protocol/zookeeper/codes.js';
import {
  MultiError,
  OPEN_ACL_UNSAFE,
  ZooKeeperClient,
  type ClientState,
  type WatchedEvent,
  type ZooKeeperClientOptions,
} from '../../../src/zookeeper/client/client.js';
import { TcpProxy } from '../../helpers/tcp-proxy.js';

export interface SuiteServer {
  port: number;
  stop(): Promise<void>;
}

export interface SuiteOptions {
  /** A session timeout the server grants as asked (ms), short enough to wait out in a test. */
  shortSessionMs: number;
  /** Whether the server answers a check outside a multi (Skein does, ZooKeeper 3.8 does not). */
  standaloneCheck: boolean;
}

/** Waits for `check` to hold, polling; the deadline is generous, as the machine may be busy. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function code(e: unknown): number | undefined {
  return e instanceof KeeperError ? e.code : undefined;
}

async function errorCode(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return code(e);
  }
}

function recorder(): { events: string[]; watcher: (e: WatchedEvent) => void } {
  const events: string[] = [];
  return { events, watcher: (e) => events.push(`${e.type} ${e.path}`) };
}

function states(client: ZooKeeperClient): ClientState[] {
  const seen: ClientState[] = [];
  client.on('state', (s) => seen.push(s));
  return seen;
}

export function clientSuite(name: string, start: () => Promise<SuiteServer>, opts: SuiteOptions): void {
  describe(name, () => {
    let server: SuiteServer | undefined;
    const open: ZooKeeperClient[] = [];
    const proxies: TcpProxy[] = [];
    let root = '';
    let n = 0;

    const port = (): number => server!.port;
    const address = (): string => `127.0.0.1:${port()}`;
    async function client(connect = address(), o: ZooKeeperClientOptions = {}): Promise<ZooKeeperClient> {
      const c = await ZooKeeperClient.connect(connect, { sessionTimeoutMs: 10_000, retryDelayMs: 20, ...o });
      open.push(c);
      return c;
    }
    async function proxy(): Promise<TcpProxy> {
      const p = new TcpProxy(port());
      await p.listen();
      proxies.push(p);
      return p;
    }

    beforeAll(async () => {
      server = await start();
    });
    afterAll(async () => {
      await server?.stop();
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((c) => c.close()));
      await Promise.all(proxies.splice(0).map((p) => p.close()));
    });

    /** A fresh subtree per test, so tests never see each other's nodes. */
    async function subtree(c: ZooKeeperClient): Promise<string> {
      root = `/t${process.pid}-${n++}`;
      await c.create(root);
      return root;
    }

    it('round-trips every operation, with typed errors', async () => {
      const c = await client();
      const r = await subtree(c);
      expect(c.state).toBe('connected');
      expect(c.sessionTimeoutMs).toBeGreaterThan(0);

      expect(await c.create(`${r}/a`, Buffer.from('one'))).toBe(`${r}/a`);
      expect(await errorCode(c.create(`${r}/a`))).toBe(ErrorCode.nodeExists);
      expect(await errorCode(c.create(`${r}/no/parent`))).toBe(ErrorCode.noNode);
      const made = await c.createWithStat(`${r}/b`, Buffer.from('two'));
      expect(made.path).toBe(`${r}/b`);
      expect(made.stat.dataLength).toBe(3);
      const seq = await c.create(`${r}/s-`, null, { mode: 'persistentSequential' });
      expect(seq).toMatch(new RegExp(`^${r}/s-\\d{10}$`));
      const eph = await c.create(`${r}/e`, null, { mode: 'ephemeral' });
      expect((await c.exists(eph))!.ephemeralOwner).toBe(c.sessionId);
      const ephSeq = await c.create(`${r}/es-`, null, { mode: 'ephemeralSequential' });
      expect(await c.getEphemerals(r)).toEqual(expect.arrayContaining([eph, ephSeq]));
      const container = await c.createWithStat(`${r}/c`, null, { mode: 'container' });
      expect(container.path).toBe(`${r}/c`);
      const ttl = await c.createWithStat(`${r}/ttl`, null, { mode: 'persistentWithTtl', ttl: 60_000 });
      expect(ttl.path).toBe(`${r}/ttl`);
      const ttlSeq = await c.create(`${r}/ttls-`, null, { mode: 'persistentSequentialWithTtl', ttl: 60_000 });
      expect(ttlSeq).toMatch(/\d{10}$/);

      expect(await c.exists(`${r}/missing`)).toBeNull();
      const got = await c.getData(`${r}/a`);
      expect(got.data!.toString()).toBe('one');
      const set = await c.setData(`${r}/a`, Buffer.from('uno'), got.stat.version);
      expect(set.version).toBe(got.stat.version + 1);
      expect(await errorCode(c.setData(`${r}/a`, null, 0))).toBe(ErrorCode.badVersion);
      expect(await errorCode(c.getData(`${r}/missing`))).toBe(ErrorCode.noNode);

      expect((await c.getChildren(r)).sort()).toEqual(
        ['a', 'b', 'c', 'e', 'ttl', seq.slice(r.length + 1), ephSeq.slice(r.length + 1), ttlSeq.slice(r.length + 1)].sort(),
      );
      const two = await c.getChildren2(r);
      expect(two.stat.numChildren).toBe(two.children.length);
      await c.create(`${r}/a/deep`);
      expect(await c.getAllChildrenNumber(r)).toBe(9);
      expect(await errorCode(c.delete(`${r}/a`))).toBe(ErrorCode.notEmpty);
      await c.delete(`${r}/a/deep`);
      expect(await errorCode(c.delete(`${r}/b`, 7))).toBe(ErrorCode.badVersion);
      await c.delete(`${r}/b`, 0);
      expect(await c.exists(`${r}/b`)).toBeNull();

      const acl = await c.getACL(`${r}/a`);
      expect(acl.acl).toEqual(OPEN_ACL_UNSAFE);
      const readOnly = [{ perms: Perms.read, id: { scheme: 'world', id: 'anyone' } }];
      expect((await c.setACL(`${r}/a`, readOnly, acl.stat.aversion)).aversion).toBe(acl.stat.aversion + 1);
      expect(await errorCode(c.setData(`${r}/a`, null))).toBe(ErrorCode.noAuth);
      expect(await c.sync(r)).toBe(r);

      if (opts.standaloneCheck) {
        expect(await c.check(`${r}/c`, 0)).toMatchObject({ version: 0 });
        expect(await errorCode(c.check(`${r}/c`, 5))).toBe(ErrorCode.badVersion);
      }
    });

    it('runs multi atomically and multiRead with per-op results', async () => {
      const c = await client();
      const r = await subtree(c);
      const results = await c.multi([
        { op: 'create', path: `${r}/m`, data: Buffer.from('x') },
        { op: 'create', path: `${r}/m/q-`, mode: 'persistentSequential' },
        { op: 'setData', path: `${r}/m`, data: Buffer.from('y'), version: 0 },
        { op: 'check', path: `${r}/m`, version: 1 },
        { op: 'delete', path: `${r}/m/q-0000000000` },
      ]);
      expect(results.map((x) => x.op)).toEqual(['create', 'create', 'setData', 'check', 'delete']);
      expect(results[1]).toEqual({ op: 'create', path: `${r}/m/q-0000000000` });

      const failed = await c
        .multi([
          { op: 'create', path: `${r}/never` },
          { op: 'check', path: `${r}/m`, version: 0 },
        ])
        .catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(MultiError);
      expect((failed as MultiError).code).toBe(ErrorCode.badVersion);
      expect((failed as MultiError).results.map((x) => (x.op === 'error' ? x.err : x.op))).toEqual([
        ErrorCode.ok,
        ErrorCode.badVersion,
      ]);
      expect(await c.exists(`${r}/never`)).toBeNull();

      const read = await c.multiRead([
        { op: 'getData', path: `${r}/m` },
        { op: 'getChildren', path: r },
        { op: 'getData', path: `${r}/gone` },
      ]);
      expect(read[0]).toMatchObject({ op: 'getData', data: Buffer.from('y') });
      expect(read[1]).toEqual({ op: 'getChildren', children: ['m'] });
      expect(read[2]).toEqual({ op: 'error', err: ErrorCode.noNode });
    });

    it('authenticates with digest for ACLs', async () => {
      const c = await client();
      const r = await subtree(c);
      await c.addAuth('digest', 'alice:secret');
      expect(await c.whoAmI()).toEqual(expect.arrayContaining([{ authScheme: 'digest', user: 'alice' }]));
      await c.create(`${r}/private`, Buffer.from('s'), {
        acl: [{ perms: Perms.all, id: { scheme: 'auth', id: '' } }],
      });
      expect((await c.getData(`${r}/private`)).data!.toString()).toBe('s');
      const other = await client();
      expect(await errorCode(other.getData(`${r}/private`))).toBe(ErrorCode.noAuth);
      await other.addAuth('digest', 'alice:secret');
      expect((await other.getData(`${r}/private`)).data!.toString()).toBe('s');
    });

    it('rewrites paths under a chroot, both ways', async () => {
      const admin = await client();
      const r = await subtree(admin);
      const c = await client(`${address()}${r}`);
      expect(await c.create('/x', Buffer.from('1'))).toBe('/x');
      expect(await admin.exists(`${r}/x`)).not.toBeNull();
      expect(await c.create('/x/s-', null, { mode: 'ephemeralSequential' })).toBe('/x/s-0000000000');
      expect(await c.getEphemerals('/')).toEqual(['/x/s-0000000000']);
      expect(await c.getChildren('/')).toEqual(['x']);
      expect(await c.sync('/x')).toBe('/x');
      const data = recorder();
      const rec = recorder();
      await c.getData('/x', data.watcher);
      await c.addWatch('/', rec.watcher, 'persistentRecursive');
      await admin.setData(`${r}/x`, Buffer.from('2'));
      await until(() => data.events.length === 1 && rec.events.length === 1);
      expect(data.events).toEqual([`${EventType.nodeDataChanged} /x`]);
      expect(rec.events).toEqual([`${EventType.nodeDataChanged} /x`]);
      expect(await c.multi([{ op: 'create', path: '/y' }])).toEqual([{ op: 'create', path: '/y' }]);
      expect(await admin.exists(`${r}/y`)).not.toBeNull();
      expect(await admin.exists('/x')).toBeNull();
    });

    it('fires one-shot watches once, before the reply of a later request', async () => {
      const c = await client();
      const r = await subtree(c);
      const other = await client();
      const order: string[] = [];
      const watcher = (e: WatchedEvent): void => void order.push(`event ${e.type} ${e.path}`);
      await c.create(`${r}/d`);
      await c.getData(`${r}/d`, watcher);
      await c.setData(`${r}/d`, Buffer.from('1'));
      order.push('reply');
      await c.setData(`${r}/d`, Buffer.from('2'));
      expect(order).toEqual([`event ${EventType.nodeDataChanged} ${r}/d`, 'reply']);

      const { events, watcher: w } = recorder();
      expect(await c.exists(`${r}/later`, w)).toBeNull();
      await c.getChildren(r, w);
      await other.create(`${r}/later`);
      await until(() => events.length === 2);
      expect(events.sort()).toEqual([`${EventType.nodeCreated} ${r}/later`, `${EventType.nodeChildrenChanged} ${r}`].sort());
      await c.getData(`${r}/later`, w);
      await other.delete(`${r}/later`);
      await until(() => events.length === 3);
      expect(events[2]).toBe(`${EventType.nodeDeleted} ${r}/later`);
    });

    it('keeps persistent and recursive watches, and removes them on request', async () => {
      const c = await client();
      const r = await subtree(c);
      const other = await client();
      const p = recorder();
      const rec = recorder();
      // On different paths: ZooKeeper keeps one watch mode per session and path, the last one added.
      await c.create(`${r}/sub`);
      await c.addWatch(r, p.watcher, 'persistent');
      await c.addWatch(`${r}/sub`, rec.watcher, 'persistentRecursive');
      await other.create(`${r}/k`);
      await other.create(`${r}/sub/k`);
      await other.setData(`${r}/sub/k`, Buffer.from('1'));
      await other.setData(r, Buffer.from('1'));
      await other.setData(`${r}/sub`, Buffer.from('1'));
      await until(() => p.events.length === 2 && rec.events.length === 3);
      expect(p.events).toEqual([`${EventType.nodeChildrenChanged} ${r}`, `${EventType.nodeDataChanged} ${r}`]);
      expect(rec.events).toEqual([
        `${EventType.nodeCreated} ${r}/sub/k`,
        `${EventType.nodeDataChanged} ${r}/sub/k`,
        `${EventType.nodeDataChanged} ${r}/sub`,
      ]);

      // Checked with Any: ZooKeeper before 3.9 refuses the persistent watcher types in checkWatches.
      await c.checkWatches(r, WatcherType.any);
      await c.removeWatches(r, WatcherType.persistent);
      await until(() => p.events.length === 3);
      expect(p.events[2]).toBe(`${EventType.persistentWatchRemoved} ${r}`);
      expect(await errorCode(c.checkWatches(r, WatcherType.any))).toBe(ErrorCode.noWatcher);
      expect(await errorCode(c.removeWatches(r, WatcherType.persistent))).toBe(ErrorCode.noWatcher);

      const d = recorder();
      await c.getData(`${r}/sub/k`, d.watcher);
      await c.removeWatches(`${r}/sub/k`, WatcherType.data, d.watcher);
      await other.setData(`${r}/sub/k`, Buffer.from('2'));
      await until(() => rec.events.length === 4);
      expect(d.events).toEqual([`${EventType.dataWatchRemoved} ${r}/sub/k`]);
    });

    it('resumes its session through a cut connection: ephemerals stay, watches fire for what changed meanwhile', async () => {
      const admin = await client();
      const r = await subtree(admin);
      const px = await proxy();
      const c = await client(`127.0.0.1:${px.port}`);
      const seen = states(c);
      const sessionId = c.sessionId;
      await c.create(`${r}/eph`, null, { mode: 'ephemeral' });
      await admin.create(`${r}/w`);
      const data = recorder();
      const child = recorder();
      const exist = recorder();
      const rec = recorder();
      await c.getData(`${r}/w`, data.watcher);
      await c.getChildren(r, child.watcher);
      await c.exists(`${r}/born`, exist.watcher);
      await c.addWatch(`${r}/w`, rec.watcher, 'persistentRecursive');

      px.cut();
      await until(() => c.state === 'disconnected');
      expect(await errorCode(c.getData(r))).toBe(ErrorCode.connectionLoss);
      await admin.setData(`${r}/w`, Buffer.from('meanwhile'));
      await admin.create(`${r}/born`);
      await admin.create(`${r}/w/kid`);
      px.restore();
      await until(() => c.state === 'connected');

      expect(c.sessionId).toBe(sessionId);
      expect(seen).toEqual(['disconnected', 'connected']);
      expect(await admin.exists(`${r}/eph`)).not.toBeNull();
      await until(() => data.events.length === 1 && child.events.length === 1 && exist.events.length === 1);
      expect(data.events).toEqual([`${EventType.nodeDataChanged} ${r}/w`]);
      expect(child.events).toEqual([`${EventType.nodeChildrenChanged} ${r}`]);
      expect(exist.events).toEqual([`${EventType.nodeCreated} ${r}/born`]);
      // A persistent watch is restored too and keeps firing after the reconnect.
      await admin.setData(`${r}/w/kid`, Buffer.from('after'));
      await until(() => rec.events.includes(`${EventType.nodeDataChanged} ${r}/w/kid`));
    });

    it('fails requests in flight at a cut with ConnectionLoss and sends those made while disconnected after reconnecting', async () => {
      const admin = await client();
      const r = await subtree(admin);
      const px = await proxy();
      const c = await client(`127.0.0.1:${px.port}`);
      px.frozen = true;
      const inFlight = c.getData(r);
      px.frozen = false;
      px.cut();
      expect(await errorCode(inFlight)).toBe(ErrorCode.connectionLoss);
      await until(() => c.state === 'disconnected');
      px.restore();
      // Queued while (re)connecting; it may race one failed attempt, so a caller retries ConnectionLoss.
      let created: string | undefined;
      await until(async () => {
        created = await c.create(`${r}/queued`).catch((e: unknown) => {
          if (code(e) !== ErrorCode.connectionLoss && code(e) !== ErrorCode.nodeExists) throw e;
          return undefined;
        });
        return (await admin.exists(`${r}/queued`)) !== null;
      });
      expect(c.state).toBe('connected');
      expect(created === undefined || created === `${r}/queued`).toBe(true);
    });

    it('reports expiry after a cut longer than the session timeout, and starts a new session only when asked', async () => {
      const admin = await client();
      const r = await subtree(admin);
      const px = await proxy();
      const c = await client(`127.0.0.1:${px.port}`, { sessionTimeoutMs: opts.shortSessionMs });
      const seen = states(c);
      const first = c.sessionId;
      await c.create(`${r}/eph`, null, { mode: 'ephemeral' });
      const w = recorder();
      await c.getData(`${r}/eph`, w.watcher);
      px.cut();
      await until(async () => (await admin.exists(`${r}/eph`)) === null);
      px.restore();
      await until(() => c.state === 'expired');
      expect(seen).toEqual(['disconnected', 'expired']);
      expect(await errorCode(c.getData(r))).toBe(ErrorCode.sessionExpired);
      expect(c.sessionId).toBe(first);

      await c.startNewSession();
      expect(c.state).toBe('connected');
      expect(c.sessionId).not.toBe(first);
      await c.create(`${r}/eph`, null, { mode: 'ephemeral' });
      expect((await admin.exists(`${r}/eph`))!.ephemeralOwner).toBe(c.sessionId);
      expect(w.events).toEqual([]);
    });

    it('keeps the session alive with pings while idle', async () => {
      const c = await client(address(), { sessionTimeoutMs: opts.shortSessionMs });
      const seen = states(c);
      const r = await subtree(c);
      await c.create(`${r}/eph`, null, { mode: 'ephemeral' });
      await new Promise((res) => setTimeout(res, opts.shortSessionMs * 3));
      expect(seen).toEqual([]);
      expect(await c.exists(`${r}/eph`)).not.toBeNull();
    });

    it('tries every server of the connection string', async () => {
      const dead = new TcpProxy(port());
      await dead.listen();
      dead.cut();
      proxies.push(dead);
      // Order fixed so the dead server comes first.
      const c = await client(`127.0.0.1:${dead.port},${address()}`, { random: () => 0.99 });
      const r = await subtree(c);
      expect(await c.exists(r)).not.toBeNull();
    });

    it('caps requests outstanding, closes its session, and refuses requests after close', async () => {
      const c = await client(address(), { maxOutstanding: 2 });
      const r = await subtree(c);
      await c.create(`${r}/eph`, null, { mode: 'ephemeral' });
      const three = [c.exists(r), c.exists(r), c.exists(r)].map((p) => errorCode(p));
      expect(await Promise.all(three)).toEqual([undefined, undefined, ErrorCode.throttledOp]);
      const admin = await client();
      await c.close();
      expect(c.state).toBe('closed');
      expect(await admin.exists(`${r}/eph`)).toBeNull();
      expect(await errorCode(c.exists(r))).toBe(ErrorCode.sessionExpired);
    });
  });
}
