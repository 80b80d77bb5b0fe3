// Watches: one-shot data/exist/child watches through node-zookeeper-client, persistent and recursive
// watches, removal and checks, and re-registration after a reconnect (through Skein's own client).
import zookeeper, { type Client, type Event, type Stat } from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperConnection } from '../../../src/zookeeper/client/connection.js';
import { AddWatchMode, ErrorCode, EventType, OpCode, WatcherType } from '../../../protocol/zookeeper/codes.js';
import {
  AddWatchRequest,
  CreateRequest,
  PathWatchRequest,
  SetDataRequest,
  SetWatches2,
  WatchesRequest,
  type WatcherEvent,
} from '../../../protocol/zookeeper/records.js';
import { call, nodeClient, startTestServer, until, type TestServer } from './harness.js';

const { ACL, CreateMode } = zookeeper;
const OPEN = ACL.OPEN_ACL_UNSAFE;
const ACL_JUTE = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

let server: TestServer;
let a: Client;
let b: Client;

beforeAll(async () => {
  server = await startTestServer();
  a = await nodeClient(server.port);
  b = await nodeClient(server.port);
});
afterAll(async () => {
  a.close();
  b.close();
  await server.destroy();
});

const create = (c: Client, path: string, data: Buffer | null = null) =>
  call<string>((cb) => c.create(path, data, OPEN, CreateMode.PERSISTENT, cb));
const setData = (c: Client, path: string, data: string) =>
  call((cb) => c.setData(path, Buffer.from(data), -1, (e) => cb(e, undefined)));
const remove = (c: Client, path: string) => call((cb) => c.remove(path, -1, (e) => cb(e, undefined)));

function collect(events: string[]): (e: Event) => void {
  return (e) => events.push(`${e.getName()} ${e.getPath()}`);
}

describe('one-shot watches through node-zookeeper-client', () => {
  it('fires a data watch once, before the reply that shows the change', async () => {
    await create(a, '/w1', Buffer.from('v0'));
    const order: string[] = [];
    await call((cb) => a.getData('/w1', collect(order), (e) => cb(e, undefined)));
    await new Promise<void>((resolve, reject) =>
      a.setData('/w1', Buffer.from('v1'), -1, (e) => {
        order.push('setData reply');
        return e ? reject(e) : resolve();
      }),
    );
    expect(order).toEqual(['NODE_DATA_CHANGED /w1', 'setData reply']);
    await setData(b, '/w1', 'v2');
    await new Promise((r) => setTimeout(r, 50));
    expect(order).toHaveLength(2);
  });

  it('delivers another session’s change before any later reply on the watcher’s connection', async () => {
    await create(a, '/w2', Buffer.from('v0'));
    const seen: string[] = [];
    await call((cb) => a.getData('/w2', collect(seen), (e) => cb(e, undefined)));
    await setData(b, '/w2', 'v1');
    const data = await new Promise<string>((resolve, reject) =>
      a.getData('/w2', undefined, (e, d) => (e ? reject(e) : resolve(d.toString()))),
    );
    expect(data).toBe('v1');
    expect(seen).toEqual(['NODE_DATA_CHANGED /w2']);
  });

  it('fires an exists watch set on a missing node when it is created', async () => {
    const seen: string[] = [];
    const stat = await call<Stat | null>((cb) => a.exists('/w3', collect(seen), cb));
    expect(stat).toBeNull();
    await create(b, '/w3');
    await until(() => seen.length === 1);
    expect(seen).toEqual(['NODE_CREATED /w3']);
  });

  it('fires child watches for creates and deletes, and data and child watches on delete', async () => {
    await create(a, '/w4');
    const kids: string[] = [];
    a.getChildren('/w4', collect(kids), () => {});
    await create(b, '/w4/x');
    await until(() => kids.length === 1);
    expect(kids).toEqual(['NODE_CHILDREN_CHANGED /w4']);

    const onNode: string[] = [];
    await call((cb) => a.getData('/w4/x', collect(onNode), (e) => cb(e, undefined)));
    const again: string[] = [];
    await call((cb) => a.getChildren('/w4', collect(again), (e) => cb(e, undefined)));
    await remove(b, '/w4/x');
    await until(() => onNode.length === 1 && again.length === 1);
    expect(onNode).toEqual(['NODE_DELETED /w4/x']);
    expect(again).toEqual(['NODE_CHILDREN_CHANGED /w4']);
  });

  it('delivers events in zxid order', async () => {
    await create(a, '/w5');
    const seen: string[] = [];
    for (const k of ['p', 'q', 'r']) {
      await create(a, `/w5/${k}`);
      await call<Stat | null>((cb) => a.exists(`/w5/${k}`, collect(seen), cb));
    }
    await Promise.all([remove(b, '/w5/q'), setData(b, '/w5/r', 'x'), remove(b, '/w5/p')]);
    await until(() => seen.length === 3);
    expect(seen).toEqual(['NODE_DELETED /w5/q', 'NODE_DATA_CHANGED /w5/r', 'NODE_DELETED /w5/p']);
  });

  it('re-registers watches after a dropped connection and fires for what changed meanwhile', async () => {
    const c = await nodeClient(server.port);
    await create(c, '/w6', Buffer.from('before'));
    const seen: string[] = [];
    await call((cb) => c.getData('/w6', collect(seen), (e) => cb(e, undefined)));
    const reconnected = new Promise<void>((resolve) => c.once('connected', () => resolve()));
    // Drop the TCP connection under the client; it reconnects with its session and its watches.
    (c as unknown as { connectionManager: { socket: { destroy(): void } } }).connectionManager.socket.destroy();
    await setData(b, '/w6', 'meanwhile');
    await reconnected;
    await until(() => seen.length === 1);
    expect(seen).toEqual(['NODE_DATA_CHANGED /w6']);
    c.close();
  });
});

describe('persistent watches, removal and checks (Skein client)', () => {
  /** A raw connection that keeps every notification in `events`. */
  async function raw(): Promise<ZooKeeperConnection & { events: WatcherEvent[] }> {
    const c = await ZooKeeperConnection.connect(server.port);
    const events: WatcherEvent[] = [];
    c.onNotification = (e) => events.push(e);
    return Object.assign(c, { events });
  }
  const createReq = (path: string) => ({ path, data: null, acl: ACL_JUTE, flags: 0 });

  it('keeps persistent watches and fires recursive ones for the subtree, without child events', async () => {
    const c = await raw();
    await c.request(OpCode.create, CreateRequest, createReq('/pw'));
    await c.request(OpCode.create, CreateRequest, createReq('/rw'));
    expect((await c.request(OpCode.addWatch, AddWatchRequest, { path: '/pw', mode: AddWatchMode.persistent })).header.err).toBe(0);
    expect(
      (await c.request(OpCode.addWatch, AddWatchRequest, { path: '/rw', mode: AddWatchMode.persistentRecursive })).header
        .err,
    ).toBe(0);
    await c.request(OpCode.setData, SetDataRequest, { path: '/pw', data: Buffer.from('1'), version: -1 });
    await c.request(OpCode.setData, SetDataRequest, { path: '/pw', data: Buffer.from('2'), version: -1 });
    await c.request(OpCode.create, CreateRequest, createReq('/pw/kid'));
    await c.request(OpCode.create, CreateRequest, createReq('/rw/a'));
    await c.request(OpCode.create, CreateRequest, createReq('/rw/a/b'));
    await c.request(OpCode.setData, SetDataRequest, { path: '/rw/a/b', data: Buffer.from('x'), version: -1 });
    const events = c.events.map((e) => `${e.type} ${e.path}`);
    expect(events).toEqual([
      `${EventType.nodeDataChanged} /pw`,
      `${EventType.nodeDataChanged} /pw`,
      `${EventType.nodeChildrenChanged} /pw`,
      `${EventType.nodeCreated} /rw/a`,
      `${EventType.nodeCreated} /rw/a/b`,
      `${EventType.nodeDataChanged} /rw/a/b`,
    ]);
    c.destroy();
  });

  it('checks and removes watches, answering NoWatcher when there is none', async () => {
    const c = await raw();
    await c.request(OpCode.create, CreateRequest, createReq('/rm'));
    await c.request(OpCode.getData, PathWatchRequest, { path: '/rm', watch: true });
    await c.request(OpCode.getChildren, PathWatchRequest, { path: '/rm', watch: true });
    const check = (type: number) => c.request(OpCode.checkWatches, WatchesRequest, { path: '/rm', type });
    const removeW = (type: number) => c.request(OpCode.removeWatches, WatchesRequest, { path: '/rm', type });
    expect((await check(WatcherType.data)).header.err).toBe(0);
    expect((await check(WatcherType.children)).header.err).toBe(0);
    expect((await check(WatcherType.persistent)).header.err).toBe(ErrorCode.noWatcher);
    expect((await removeW(WatcherType.data)).header.err).toBe(0);
    expect((await check(WatcherType.data)).header.err).toBe(ErrorCode.noWatcher);
    expect((await removeW(WatcherType.data)).header.err).toBe(ErrorCode.noWatcher);
    await c.request(OpCode.setData, SetDataRequest, { path: '/rm', data: null, version: -1 });
    expect(c.events).toEqual([]);
    expect((await removeW(WatcherType.any)).header.err).toBe(0);
    await c.request(OpCode.create, CreateRequest, createReq('/rm/k'));
    expect(c.events).toEqual([]);
    c.destroy();
  });

  it('answers setWatches2 with events for every change since relativeZxid, and registers the rest', async () => {
    const writer = await raw();
    await writer.request(OpCode.create, CreateRequest, createReq('/sw'));
    await writer.request(OpCode.create, CreateRequest, createReq('/sw/same'));
    const since = writer.lastZxid;
    await writer.request(OpCode.setData, SetDataRequest, { path: '/sw', data: Buffer.from('new'), version: -1 });
    await writer.request(OpCode.create, CreateRequest, createReq('/sw/born'));

    const c = await raw();
    const reply = await c.request(
      OpCode.setWatches2,
      SetWatches2,
      {
        relativeZxid: since,
        dataWatches: ['/sw', '/sw/same', '/sw/gone'],
        existWatches: ['/sw/born', '/sw/unborn'],
        childWatches: ['/sw/same'],
        persistentWatches: [],
        persistentRecursiveWatches: ['/sw/same'],
      },
      -8,
    );
    expect(reply.header.err).toBe(0);
    expect(c.events.map((e) => `${e.type} ${e.path}`)).toEqual([
      `${EventType.nodeDataChanged} /sw`,
      `${EventType.nodeDeleted} /sw/gone`,
      `${EventType.nodeCreated} /sw/born`,
    ]);
    await writer.request(OpCode.create, CreateRequest, createReq('/sw/unborn'));
    await writer.request(OpCode.setData, SetDataRequest, { path: '/sw/same', data: null, version: -1 });
    await until(() => c.events.length === 5);
    expect(c.events.slice(3).map((e) => `${e.type} ${e.path}`)).toEqual([
      `${EventType.nodeCreated} /sw/unborn`,
      `${EventType.nodeDataChanged} /sw/same`,
    ]);
    writer.destroy();
    c.destroy();
  });
});
