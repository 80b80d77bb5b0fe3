// Sessions: the handshake's shapes and clamping, resuming, expiry with its ephemerals, and sessions
// that outlive a server restart.
import zookeeper, { type Client, type Event, type Stat } from 'node-zookeeper-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ZooKeeperConnection } from '../../../src/zookeeper/client/connection.js';
import { ErrorCode, OpCode } from '../../../protocol/zookeeper/codes.js';
import { CreateRequest, PathWatchRequest, StatResponse } from '../../../protocol/zookeeper/records.js';
import { TcpProxy } from '../../helpers/tcp-proxy.js';
import { call, long, nodeClient, startTestServer, until, type TestServer } from './harness.js';

const { ACL, CreateMode } = zookeeper;
const ACL_JUTE = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
let server: TestServer | undefined;

afterEach(async () => {
  await server?.destroy();
  server = undefined;
});

async function ephemeral(c: ZooKeeperConnection, path: string): Promise<void> {
  const { header } = await c.request(OpCode.create, CreateRequest, { path, data: null, acl: ACL_JUTE, flags: 1 });
  expect(header.err).toBe(0);
}

async function exists(c: ZooKeeperConnection, path: string): Promise<boolean> {
  return (await c.request(OpCode.exists, PathWatchRequest, { path, watch: false })).header.err === 0;
}

async function waitGone(c: ZooKeeperConnection, path: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (!(await exists(c, path))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${path} is still there`);
}

describe('handshake', () => {
  it('mirrors the readOnly byte and clamps the timeout to [min, max]', async () => {
    server = await startTestServer({ minSessionTimeout: 400, maxSessionTimeout: 8000 });
    const old = await ZooKeeperConnection.connect(server.port, { readOnly: undefined, timeout: 1 });
    expect(old.session!.readOnly).toBeUndefined();
    expect(old.session!.timeOut).toBe(400);
    const modern = await ZooKeeperConnection.connect(server.port, { timeout: 1_000_000 });
    expect(modern.session!.readOnly).toBe(false);
    expect(modern.session!.timeOut).toBe(8000);
    expect(modern.session!.passwd).toHaveLength(16);
    expect(modern.session!.sessionId).not.toBe(old.session!.sessionId);
    old.destroy();
    modern.destroy();
  });

  it('refuses a client that has seen a later zxid than the server has', async () => {
    server = await startTestServer();
    const c = await ZooKeeperConnection.open(server.port);
    await expect(c.start({ lastZxidSeen: 1000n })).rejects.toMatchObject({ code: ErrorCode.connectionLoss });
  });

  it('resumes a live session with its password and refuses a wrong one', async () => {
    server = await startTestServer();
    const first = await ZooKeeperConnection.connect(server.port, { timeout: 5000 });
    await ephemeral(first, '/resume');
    const { sessionId, passwd } = first.session!;
    first.destroy();

    const wrong = await ZooKeeperConnection.open(server.port);
    const refused = await wrong.start({ sessionId, passwd: Buffer.alloc(16, 1) });
    expect(refused).toMatchObject({ timeOut: 0, sessionId: 0n });
    await wrong.closed;

    const again = await ZooKeeperConnection.connect(server.port, { sessionId, passwd, timeout: 5000 });
    expect(again.session!.sessionId).toBe(sessionId);
    expect(again.session!.timeOut).toBe(5000);
    expect(await exists(again, '/resume')).toBe(true);
    again.destroy();
  });
});

describe('ephemeral nodes', () => {
  it('vanish when their session closes, with watchers told', async () => {
    server = await startTestServer();
    const owner = await nodeClient(server.port);
    const watcher = await nodeClient(server.port);
    await call<string>((cb) => owner.create('/eph', null, ACL.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL, cb));
    const seen: string[] = [];
    await call<Stat | null>((cb) => watcher.exists('/eph', (e: Event) => seen.push(e.getName()), cb));
    owner.close();
    await until(() => seen.length === 1);
    expect(seen).toEqual(['NODE_DELETED']);
    watcher.close();
  });

  it('vanish when their session expires; the session cannot be resumed afterwards', async () => {
    server = await startTestServer();
    const owner = await ZooKeeperConnection.connect(server.port, { timeout: 300 });
    await ephemeral(owner, '/expiring');
    const { sessionId, passwd } = owner.session!;
    owner.destroy();
    const observer = await ZooKeeperConnection.connect(server.port);
    expect(await exists(observer, '/expiring')).toBe(true);
    const started = Date.now();
    await waitGone(observer, '/expiring');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    const late = await ZooKeeperConnection.open(server.port);
    expect(await late.start({ sessionId, passwd })).toMatchObject({ timeOut: 0, sessionId: 0n });
    observer.destroy();
  });

  it('expire for node-zookeeper-client when its pings stop reaching the server', async () => {
    server = await startTestServer();
    const proxy = new TcpProxy(server.port);
    await proxy.listen();
    const client: Client = await nodeClient(proxy.port, 400);
    await call<string>((cb) => client.create('/frozen', null, ACL.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL, cb));
    const observer = await ZooKeeperConnection.connect(server.port);
    const expired = new Promise<void>((resolve) => client.once('expired', () => resolve()));
    proxy.frozen = true;
    await waitGone(observer, '/frozen');
    // Let traffic through again: the client reconnects and learns its session is gone.
    proxy.frozen = false;
    proxy.drop();
    await expired;
    expect(client.getState()).toBe(zookeeper.State.EXPIRED);
    client.close();
    await proxy.close();
    observer.destroy();
  });
});

describe('across a restart', () => {
  it('keeps data, resumes sessions within their timeout and keeps zxids rising', async () => {
    server = await startTestServer();
    const c = await ZooKeeperConnection.connect(server.port, { timeout: 5000 });
    await ephemeral(c, '/survivor');
    await c.request(OpCode.create, CreateRequest, { path: '/persisted', data: Buffer.from('p'), acl: ACL_JUTE, flags: 0 });
    const before = c.lastZxid;
    const { sessionId, passwd } = c.session!;
    c.destroy();
    await server.restart();

    const resumed = await ZooKeeperConnection.connect(server.port, { sessionId, passwd, lastZxidSeen: before });
    expect(resumed.session!.sessionId).toBe(sessionId);
    expect(await exists(resumed, '/survivor')).toBe(true);
    const { header } = await resumed.request(OpCode.create, CreateRequest, {
      path: '/after',
      data: null,
      acl: ACL_JUTE,
      flags: 0,
    });
    expect(header.zxid).toBeGreaterThan(before);
    const stat = await resumed.request(OpCode.exists, PathWatchRequest, { path: '/persisted', watch: false });
    expect(StatResponse.read(stat.body).stat.czxid).toBeLessThan(header.zxid);
    resumed.destroy();
  });

  it('expires restored sessions whose clients do not come back', async () => {
    server = await startTestServer();
    const c = await ZooKeeperConnection.connect(server.port, { timeout: 300 });
    await ephemeral(c, '/orphan');
    c.destroy();
    await server.restart();
    const observer = await ZooKeeperConnection.connect(server.port);
    await waitGone(observer, '/orphan');
    observer.destroy();
  });
});

describe('node-zookeeper-client session facts', () => {
  it('reports the negotiated timeout and a 16-byte password', async () => {
    server = await startTestServer({ maxSessionTimeout: 3000 });
    const c = await nodeClient(server.port, 10_000);
    expect(c.getSessionTimeout()).toBe(3000);
    expect(c.getSessionPassword()).toHaveLength(16);
    expect(long(c.getSessionId())).toBeGreaterThan(0);
    c.close();
  });
});
