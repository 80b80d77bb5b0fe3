// Operations node-zookeeper-client does not offer, driven through Skein's jute client: create2, TTL
// and container nodes, getEphemerals, getAllChildrenNumber, whoAmI, multiRead, sync, check, reconfig,
// and unknown opcodes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperConnection } from '../../../src/zookeeper/client/connection.js';
import { ErrorCode, OpCode } from '../../../protocol/zookeeper/codes.js';
import { readMultiResponse, writeMultiRequest, type MultiOp } from '../../../protocol/zookeeper/multi.js';
import {
  AuthPacket,
  CheckVersionRequest,
  Create2Response,
  CreateRequest,
  CreateTTLRequest,
  DeleteRequest,
  GetAllChildrenNumberResponse,
  GetEphemeralsResponse,
  PathRequest,
  PathWatchRequest,
  ReconfigRequest,
  StatResponse,
  SyncResponse,
  WhoAmIResponse,
} from '../../../protocol/zookeeper/records.js';
import { startTestServer, type TestServer } from './harness.js';

const ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
let server: TestServer;
let c: ZooKeeperConnection;

beforeAll(async () => {
  server = await startTestServer({ containerCheckIntervalMs: 50 });
  c = await ZooKeeperConnection.connect(server.port);
});
afterAll(async () => {
  c.destroy();
  await server.destroy();
});

const create = (path: string, flags = 0, type: number = OpCode.create) =>
  c.request(type, CreateRequest, { path, data: Buffer.from('d'), acl: ACL, flags });
const reconfig = (client: ZooKeeperConnection) =>
  client.request(OpCode.reconfig, ReconfigRequest, {
    joiningServers: 'server.2=localhost:2889:3889',
    leavingServers: '',
    newMembers: '',
    curConfigId: -1n,
  });
const exists = async (path: string) =>
  (await c.request(OpCode.exists, PathWatchRequest, { path, watch: false })).header.err === 0;

describe('extended operations', () => {
  it('create2 answers with the new node’s Stat', async () => {
    const { header, body } = await create('/c2', 0, OpCode.create2);
    expect(header.err).toBe(0);
    const rsp = Create2Response.read(body);
    expect(rsp.path).toBe('/c2');
    expect(rsp.stat).toMatchObject({ czxid: header.zxid, version: 0, dataLength: 1, ephemeralOwner: 0n });
  });

  it('creates TTL nodes that go once their TTL passes without children', async () => {
    const { header, body } = await c.request(OpCode.createTTL, CreateTTLRequest, {
      path: '/ttl',
      data: null,
      acl: ACL,
      flags: 5,
      ttl: 100,
    });
    expect(header.err).toBe(0);
    // ZooKeeper keeps the TTL in the stored ephemeralOwner but shows clients 0.
    expect(Create2Response.read(body).stat.ephemeralOwner).toBe(0n);
    for (let i = 0; i < 100 && (await exists('/ttl')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await exists('/ttl')).toBe(false);
  });

  it('refuses bad TTL requests: no TTL, a TTL for a non-TTL mode, create with TTL flags', async () => {
    const ttl = (flags: number, value: number) =>
      c.request(OpCode.createTTL, CreateTTLRequest, { path: '/badttl', data: null, acl: ACL, flags, ttl: value });
    expect((await ttl(5, 0)).header.err).toBe(ErrorCode.badArguments);
    expect((await ttl(5, 2 ** 41)).header.err).toBe(ErrorCode.badArguments);
    expect((await ttl(0, 100)).header.err).toBe(ErrorCode.badArguments);
    expect((await create('/badttl', 5)).header.err).toBe(ErrorCode.badArguments);
    expect((await create('/badflags', 9)).header.err).toBe(ErrorCode.badArguments);
  });

  it('removes a container once its last child is gone, not before it had one', async () => {
    expect((await create('/box', 4, OpCode.createContainer)).header.err).toBe(0);
    await new Promise((r) => setTimeout(r, 150));
    expect(await exists('/box')).toBe(true);
    await create('/box/item');
    await c.request(OpCode.delete, DeleteRequest, { path: '/box/item', version: -1 });
    for (let i = 0; i < 100 && (await exists('/box')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await exists('/box')).toBe(false);
  });

  it('lists the session’s ephemerals and counts descendants', async () => {
    await create('/e');
    await create('/e/one', 1);
    await create('/e/two', 1);
    await create('/e/two-not', 0);
    const eph = GetEphemeralsResponse.read(
      (await c.request(OpCode.getEphemerals, PathRequest, { path: '/e/t' })).body,
    ).ephemerals;
    expect([...eph]).toEqual(['/e/two']);
    const all = GetEphemeralsResponse.read((await c.request(OpCode.getEphemerals, PathRequest, { path: '/' })).body);
    expect([...all.ephemerals].sort()).toEqual(['/e/one', '/e/two']);
    const n = GetAllChildrenNumberResponse.read(
      (await c.request(OpCode.getAllChildrenNumber, PathRequest, { path: '/e' })).body,
    );
    expect(n.totalNumber).toBe(3);
  });

  it('tells a client who it is', async () => {
    const other = await ZooKeeperConnection.connect(server.port);
    await other.request(OpCode.auth, AuthPacket, { type: 0, scheme: 'digest', auth: Buffer.from('eve:pw') }, -4);
    const who = WhoAmIResponse.read((await other.request(OpCode.whoAmI)).body).clientInfo;
    expect(who).toEqual([
      { authScheme: 'ip', user: '127.0.0.1' },
      { authScheme: 'digest', user: 'eve' },
    ]);
    other.destroy();
  });

  it('answers multiRead with data, children and per-op errors', async () => {
    await create('/mr');
    await create('/mr/k');
    const ops: MultiOp[] = [
      { type: OpCode.getData, req: { path: '/mr', watch: false } },
      { type: OpCode.getChildren, req: { path: '/mr', watch: false } },
      { type: OpCode.getData, req: { path: '/nope', watch: false } },
    ];
    const { header, body } = await c.request(OpCode.multiRead, { write: writeMultiRequest }, ops);
    expect(header.err).toBe(0);
    const results = readMultiResponse(body);
    expect(results[0]).toMatchObject({ type: OpCode.getData, data: Buffer.from('d') });
    expect(results[1]).toMatchObject({ type: OpCode.getChildren, children: ['k'] });
    expect(results[2]).toEqual({ type: OpCode.error, err: ErrorCode.noNode });
  });

  it('answers sync with its path and a standalone check with the Stat', async () => {
    expect(SyncResponse.read((await c.request(OpCode.sync, PathRequest, { path: '/mr' })).body).path).toBe('/mr');
    const ok = await c.request(OpCode.check, CheckVersionRequest, { path: '/mr', version: 0 });
    expect(ok.header.err).toBe(0);
    expect(StatResponse.read(ok.body).stat.numChildren).toBe(1);
    expect((await c.request(OpCode.check, CheckVersionRequest, { path: '/mr', version: 3 })).header.err).toBe(
      ErrorCode.badVersion,
    );
  });

  it('answers reconfig with ReconfigDisabled and unknown opcodes with Unimplemented, keeping the connection', async () => {
    expect((await reconfig(c)).header.err).toBe(ErrorCode.reconfigDisabled);
    expect((await c.request(77)).header.err).toBe(ErrorCode.unimplemented);
    expect((await c.request(OpCode.deleteContainer, PathRequest, { path: '/mr' })).header.err).toBe(
      ErrorCode.unimplemented,
    );
    expect(await exists('/mr')).toBe(true);
  });

  it('answers reconfig Unimplemented when reconfigEnabled, as a standalone ZooKeeper does', async () => {
    const enabled = await startTestServer({ reconfigEnabled: true });
    const client = await ZooKeeperConnection.connect(enabled.port);
    expect((await reconfig(client)).header.err).toBe(ErrorCode.unimplemented);
    client.destroy();
    await enabled.destroy();
  });
});
