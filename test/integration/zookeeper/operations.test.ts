// Every operation node-zookeeper-client offers, against Skein, with ZooKeeper's semantics.
import zookeeper, { type Client, type Stat } from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, long, nodeClient, startTestServer, statNumbers, type TestServer } from './harness.js';

const { ACL, CreateMode, Exception } = zookeeper;
const OPEN = ACL.OPEN_ACL_UNSAFE;

let server: TestServer;
let client: Client;

beforeAll(async () => {
  server = await startTestServer();
  client = await nodeClient(server.port);
});
afterAll(async () => {
  client.close();
  await server.destroy();
});

const create = (path: string, data: Buffer | null = null, mode: number = CreateMode.PERSISTENT) =>
  call<string>((cb) => client.create(path, data, OPEN, mode, cb));
const getData = (path: string) =>
  new Promise<{ data: Buffer; stat: Stat }>((resolve, reject) =>
    client.getData(path, undefined, (e, data, stat) => (e ? reject(e) : resolve({ data, stat }))),
  );
const setData = (path: string, data: Buffer | null, version = -1) =>
  call<Stat>((cb) => client.setData(path, data, version, cb));
const exists = (path: string) => call<Stat | null>((cb) => client.exists(path, undefined, cb));
const remove = (path: string, version = -1) => call((cb) => client.remove(path, version, (e) => cb(e, undefined)));
const children = (path: string) =>
  new Promise<{ children: string[]; stat: Stat }>((resolve, reject) =>
    client.getChildren(path, undefined, (e, c, stat) => (e ? reject(e) : resolve({ children: c, stat }))),
  );

describe('znode operations through node-zookeeper-client', () => {
  it('lists the built-in /zookeeper tree', async () => {
    expect((await children('/')).children).toContain('zookeeper');
    expect((await children('/zookeeper')).children.sort()).toEqual(['config', 'quota']);
  });

  it('creates, reads, updates and deletes with the Stat ZooKeeper keeps', async () => {
    expect(await create('/ops', Buffer.from('hello'))).toBe('/ops');
    const { data, stat } = await getData('/ops');
    expect(data.toString()).toBe('hello');
    const s = statNumbers(stat);
    expect(s).toMatchObject({ version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0, dataLength: 5, numChildren: 0 });
    expect(s.czxid).toBe(s.mzxid);
    expect(s.pzxid).toBe(s.czxid);
    expect(Math.abs(s.ctime - Date.now())).toBeLessThan(60_000);

    const updated = statNumbers(await setData('/ops', Buffer.from('world'), 0));
    expect(updated.version).toBe(1);
    expect(updated.mzxid).toBeGreaterThan(s.mzxid);
    expect(updated.czxid).toBe(s.czxid);
    expect(updated.mtime).toBeGreaterThanOrEqual(s.mtime);

    await expect(setData('/ops', Buffer.from('x'), 0)).rejects.toMatchObject({ code: Exception.BAD_VERSION });
    await expect(remove('/ops', 7)).rejects.toMatchObject({ code: Exception.BAD_VERSION });
    await remove('/ops', 1);
    expect(await exists('/ops')).toBeNull();
  });

  it('reports NodeExists, NoNode, NotEmpty and NoChildrenForEphemerals', async () => {
    await create('/errs');
    await expect(create('/errs')).rejects.toMatchObject({ code: Exception.NODE_EXISTS });
    await expect(create('/missing/child')).rejects.toMatchObject({ code: Exception.NO_NODE });
    await expect(getData('/missing')).rejects.toMatchObject({ code: Exception.NO_NODE });
    await expect(setData('/missing', Buffer.from('x'))).rejects.toMatchObject({ code: Exception.NO_NODE });
    await expect(remove('/missing')).rejects.toMatchObject({ code: Exception.NO_NODE });
    await create('/errs/child');
    await expect(remove('/errs')).rejects.toMatchObject({ code: Exception.NOT_EMPTY });
    await create('/errs/eph', null, CreateMode.EPHEMERAL);
    await expect(create('/errs/eph/x')).rejects.toMatchObject({ code: Exception.NO_CHILDREN_FOR_EPHEMERALS });
  });

  it('keeps null data apart from empty data', async () => {
    await create('/nulldata', null);
    await create('/emptydata', Buffer.alloc(0));
    // The client turns jute's null (length -1) into undefined.
    expect((await getData('/nulldata')).data).toBeUndefined();
    expect((await getData('/emptydata')).data).toEqual(Buffer.alloc(0));
  });

  it('names sequential nodes from the parent cversion, with gaps where other children were made', async () => {
    await create('/seq');
    const a = await create('/seq/n-', null, CreateMode.PERSISTENT_SEQUENTIAL);
    await create('/seq/plain');
    const b = await create('/seq/n-', null, CreateMode.EPHEMERAL_SEQUENTIAL);
    await remove(a);
    const c = await create('/seq/n-', null, CreateMode.PERSISTENT_SEQUENTIAL);
    expect([a, b, c]).toEqual(['/seq/n-0000000000', '/seq/n-0000000002', '/seq/n-0000000003']);
    const { stat } = await children('/seq');
    // As Apache ZooKeeper 3.8.0 reports it: 4 creates and 1 delete (names count the creates only).
    expect(stat.cversion).toBe(5);
    expect(stat.numChildren).toBe(3);
  });

  it('lists children with the parent Stat and counts numChildren', async () => {
    await create('/kids');
    for (const k of ['a', 'b', 'c']) await create(`/kids/${k}`);
    const { children: list, stat } = await children('/kids');
    expect(list.sort()).toEqual(['a', 'b', 'c']);
    expect(stat.numChildren).toBe(3);
    expect(long(stat.pzxid)).toBeGreaterThan(long(stat.czxid));
  });

  it('creates whole paths with mkdirp and removes a node with its children', async () => {
    await call<string>((cb) => client.mkdirp('/deep/a/b/c', Buffer.from('leaf'), OPEN, CreateMode.PERSISTENT, cb));
    expect((await getData('/deep/a/b/c')).data.toString()).toBe('leaf');
    await create('/flat');
    for (const k of ['x', 'y']) await create(`/flat/${k}`);
    // The client lists one level below the path before deleting bottom-up.
    await call((cb) => client.removeRecursive('/flat', -1, (e) => cb(e, undefined)));
    expect(await exists('/flat')).toBeNull();
  });

  it('marks ephemeral owners with the session id', async () => {
    const path = await create('/owned', null, CreateMode.EPHEMERAL);
    const stat = await exists(path);
    expect(stat!.ephemeralOwner.readBigInt64BE(0)).toBe(client.getSessionId().readBigInt64BE(0));
  });

  it('stores data up to jute.maxbuffer', async () => {
    const big = Buffer.alloc(900 * 1024, 7);
    await create('/big', big);
    const { data, stat } = await getData('/big');
    expect(data.equals(big)).toBe(true);
    expect(stat.dataLength).toBe(big.length);
  });
});
