// Quotas as zkCli's setquota lays them out: the server keeps /zookeeper/quota/<path>/zookeeper_stats current
// (node-zookeeper-client), across a restart, and with enforceQuota refuses writes past a hard limit with
// QuotaExceeded (-125), which node-zookeeper-client cannot decode, hence Skein's jute client for those.
import zookeeper, { type Client, type Stat } from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperConnection } from '../../../src/zookeeper/client/connection.js';
import { ErrorCode, OpCode } from '../../../protocol/zookeeper/codes.js';
import { CreateRequest, SetDataRequest } from '../../../protocol/zookeeper/records.js';
import { call, nodeClient, startTestServer, type TestServer } from './harness.js';

const { ACL, CreateMode } = zookeeper;
const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

const create = (c: Client, path: string, data = '') =>
  call<string>((cb) => c.create(path, Buffer.from(data), ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, cb));
const read = (c: Client, path: string) =>
  new Promise<string>((resolve, reject) => c.getData(path, undefined, (e, d) => (e ? reject(e) : resolve(d.toString()))));

/** What zkCli's setquota does: the quota nodes, the limits, then a stats node for the server to fill. */
async function setQuota(c: Client, path: string, limits: string): Promise<void> {
  let quotaPath = '/zookeeper/quota';
  for (const part of path.split('/').slice(1)) await create(c, (quotaPath += `/${part}`));
  await create(c, `${quotaPath}/zookeeper_limits`, limits);
  await create(c, `${quotaPath}/zookeeper_stats`, 'count=0,bytes=0');
}

describe('quota stats', () => {
  let server: TestServer;
  let c: Client;
  beforeAll(async () => {
    server = await startTestServer();
    c = await nodeClient(server.port);
  });
  afterAll(async () => {
    c.close();
    await server.destroy();
  });

  it('counts the subtree when the quota is set, then follows creates, setData and deletes', async () => {
    await create(c, '/app', 'abc');
    await create(c, '/app/one', '12345');
    await setQuota(c, '/app', 'count=10,bytes=-1=;byteHardLimit=-1;countHardLimit=-1');
    const stats = '/zookeeper/quota/app/zookeeper_stats';
    expect(await read(c, stats)).toBe('count=2,bytes=8');
    await create(c, '/app/one/two', 'xy');
    await call<Stat>((cb) => c.setData('/app', Buffer.from('a'), -1, cb));
    expect(await read(c, stats)).toBe('count=3,bytes=8');
    await call((cb) => c.remove('/app/one/two', -1, cb));
    expect(await read(c, stats)).toBe('count=2,bytes=6');
    // Without enforceQuota even a hard limit is only a number to compare with.
    await create(c, '/loose');
    await setQuota(c, '/loose', 'count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=1');
    await create(c, '/loose/x');
    expect(await read(c, '/zookeeper/quota/loose/zookeeper_stats')).toBe('count=2,bytes=0');
  });

  it('keeps the stats after a restart and goes on counting', async () => {
    await server.restart();
    c.close();
    c = await nodeClient(server.port);
    const stats = '/zookeeper/quota/app/zookeeper_stats';
    expect(await read(c, stats)).toBe('count=2,bytes=6');
    await create(c, '/app/three', '333');
    expect(await read(c, stats)).toBe('count=3,bytes=9');
  });
});

describe('enforceQuota', () => {
  let server: TestServer;
  let c: ZooKeeperConnection;
  beforeAll(async () => {
    server = await startTestServer({ enforceQuota: true });
    c = await ZooKeeperConnection.connect(server.port);
  });
  afterAll(async () => {
    c.destroy();
    await server.destroy();
  });

  const put = (path: string, data = '') =>
    c.request(OpCode.create, CreateRequest, { path, data: Buffer.from(data), acl: OPEN, flags: 0 });
  const set = (path: string, data: string) =>
    c.request(OpCode.setData, SetDataRequest, { path, data: Buffer.from(data), version: -1 });

  it('refuses creates past countHardLimit and setData past byteHardLimit with QuotaExceeded, pipelined or not', async () => {
    const node = await nodeClient(server.port);
    await create(node, '/hard');
    await setQuota(node, '/hard', 'count=-1,bytes=-1=;byteHardLimit=10;countHardLimit=4');
    // Five creates sent back to back: the hard limit holds although none is applied when the next is checked.
    const replies = await Promise.all(['/hard/a', '/hard/b', '/hard/c', '/hard/d', '/hard/e'].map((p) => put(p, 'x')));
    expect(replies.map((r) => r.header.err)).toEqual([0, 0, 0, ErrorCode.quotaExceeded, ErrorCode.quotaExceeded]);
    expect((await set('/hard/a', '12345678')).header.err).toBe(0);
    expect((await set('/hard/b', '12')).header.err).toBe(ErrorCode.quotaExceeded);
    expect(await read(node, '/zookeeper/quota/hard/zookeeper_stats')).toBe('count=4,bytes=10');
    // A soft limit alone refuses nothing.
    await create(node, '/soft');
    await setQuota(node, '/soft', 'count=1,bytes=1=;byteHardLimit=-1;countHardLimit=-1');
    expect((await put('/soft/big', '123456')).header.err).toBe(0);
    node.close();
  });
});
