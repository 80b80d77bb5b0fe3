// Hostile and malformed input: the offending connection gets ZooKeeper's error or is closed, and the
// server keeps serving everyone else with the store intact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperConnection } from '../../../src/zookeeper/client/connection.js';
import { ErrorCode, OpCode } from '../../../protocol/zookeeper/codes.js';
import {
  CreateRequest,
  DeleteRequest,
  GetDataResponse,
  PathWatchRequest,
  SetDataRequest,
} from '../../../protocol/zookeeper/records.js';
import { startTestServer, type TestServer } from './harness.js';

const ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const MAX_BUFFER = 64 * 1024;
let server: TestServer;
let steady: ZooKeeperConnection;

beforeAll(async () => {
  server = await startTestServer({ juteMaxBuffer: MAX_BUFFER, maxClientCnxns: 50 });
  steady = await ZooKeeperConnection.connect(server.port);
  await steady.request(OpCode.create, CreateRequest, { path: '/keep', data: Buffer.from('safe'), acl: ACL, flags: 0 });
});
afterAll(async () => {
  steady.destroy();
  await server.destroy();
});

async function stillServing(): Promise<void> {
  const { header, body } = await steady.request(OpCode.getData, PathWatchRequest, { path: '/keep', watch: false });
  expect(header.err).toBe(0);
  expect(GetDataResponse.read(body).data).toEqual(Buffer.from('safe'));
}

function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

async function closedAfter(bytes: Buffer, handshake = false): Promise<void> {
  const c = handshake ? await ZooKeeperConnection.connect(server.port) : await ZooKeeperConnection.open(server.port);
  c.sendRaw(bytes);
  await c.closed;
  await stillServing();
}

describe('malformed frames', () => {
  it('closes connections that send negative, oversized or garbage lengths', async () => {
    await closedAfter(Buffer.from([0xff, 0xff, 0xff, 0xf0, 1, 2, 3]));
    await closedAfter(Buffer.from([0x00, 0x10, 0x00, 0x01, 9]));
    await closedAfter(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await closedAfter(Buffer.from([0xde, 0xad, 0xbe, 0xef]), true);
  });

  it('closes connections whose ConnectRequest or request header is truncated', async () => {
    await closedAfter(frame(Buffer.from([0, 0, 0, 0, 1])));
    await closedAfter(frame(Buffer.from([0, 0, 1])), true);
  });

  it('closes a connection whose request exceeds jute.maxbuffer, storing nothing from it', async () => {
    const c = await ZooKeeperConnection.connect(server.port);
    const reply = c.request(OpCode.create, CreateRequest, {
      path: '/huge',
      data: Buffer.alloc(MAX_BUFFER + 1),
      acl: ACL,
      flags: 0,
    });
    await expect(reply).rejects.toMatchObject({ code: ErrorCode.connectionLoss });
    const { header } = await steady.request(OpCode.exists, PathWatchRequest, { path: '/huge', watch: false });
    expect(header.err).toBe(ErrorCode.noNode);
    await stillServing();
  });
});

describe('malformed request bodies', () => {
  it('answers MarshallingError for truncated records and hostile counts, and keeps the connection', async () => {
    const c = await ZooKeeperConnection.connect(server.port);
    const raw = (type: number, body: Buffer) => c.request(type, { write: (w) => void w.raw(body) }, undefined);
    // A path claiming 1000 bytes with 2 present.
    expect((await raw(OpCode.getData, Buffer.from([0, 0, 3, 0xe8, 0x2f, 0x61]))).header.err).toBe(
      ErrorCode.marshallingError,
    );
    // A create whose ACL vector claims two billion entries.
    const create = Buffer.concat([Buffer.from([0, 0, 0, 2, 0x2f, 0x78, 0xff, 0xff, 0xff, 0xff]), Buffer.from([0x7f, 0, 0, 0])]);
    expect((await raw(OpCode.create, create)).header.err).toBe(ErrorCode.marshallingError);
    // A multi with an op type that does not exist, and one mixing a read into writes.
    expect((await raw(OpCode.multi, Buffer.from([0, 0, 0, 99, 0, 0xff, 0xff, 0xff, 0xff]))).header.err).toBe(
      ErrorCode.marshallingError,
    );
    expect(
      (
        await raw(
          OpCode.multi,
          Buffer.concat([
            Buffer.from([0, 0, 0, 4, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 5, 0x2f, 0x6b, 0x65, 0x65, 0x70, 0]),
            Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 0xff, 0xff, 0xff, 0xff]),
          ]),
        )
      ).header.err,
    ).toBe(ErrorCode.marshallingError);
    const { header } = await c.request(OpCode.exists, PathWatchRequest, { path: '/keep', watch: false });
    expect(header.err).toBe(0);
    c.destroy();
    await stillServing();
  });
});

describe('invalid paths', () => {
  it('answers as ZooKeeper does: BadArguments for writes, NoNode where the lookup fails first', async () => {
    const c = await ZooKeeperConnection.connect(server.port);
    const create = async (path: string) =>
      (await c.request(OpCode.create, CreateRequest, { path, data: null, acl: ACL, flags: 0 })).header.err;
    expect(await create('')).toBe(ErrorCode.badArguments);
    expect(await create('relative')).toBe(ErrorCode.badArguments);
    expect(await create('rel/ative')).toBe(ErrorCode.noNode);
    expect(await create('/keep/')).toBe(ErrorCode.badArguments);
    expect(await create('/keep/.')).toBe(ErrorCode.badArguments);
    expect(await create('/keep/..')).toBe(ErrorCode.badArguments);
    expect(await create('/keep/a/../b')).toBe(ErrorCode.noNode);
    expect(await create('/keep//x')).toBe(ErrorCode.noNode);
    expect(await create('/ctl\u0001')).toBe(ErrorCode.badArguments);
    expect(await create('/nul\u0000')).toBe(ErrorCode.badArguments);
    expect(await create('/')).toBe(ErrorCode.nodeExists);

    const del = async (path: string) =>
      (await c.request(OpCode.delete, DeleteRequest, { path, version: -1 })).header.err;
    expect(await del('/')).toBe(ErrorCode.badArguments);
    expect(await del('/zookeeper')).toBe(ErrorCode.badArguments);
    expect(await del('/zookeeper/quota')).toBe(ErrorCode.badArguments);
    expect(await del('nope')).toBe(ErrorCode.badArguments);

    const set = async (path: string) =>
      (await c.request(OpCode.setData, SetDataRequest, { path, data: null, version: -1 })).header.err;
    expect(await set('relative')).toBe(ErrorCode.badArguments);
    expect(await set('/keep/')).toBe(ErrorCode.badArguments);
    const get = async (path: string) =>
      (await c.request(OpCode.getData, PathWatchRequest, { path, watch: true })).header.err;
    expect(await get('relative')).toBe(ErrorCode.noNode);
    expect((await c.request(OpCode.exists, PathWatchRequest, { path: '/a\u0000', watch: true })).header.err).toBe(
      ErrorCode.badArguments,
    );
    c.destroy();
    await stillServing();
  });
});

describe('limits', () => {
  it('answers a deep pipeline in order, pausing reads past the outstanding limit', async () => {
    const c = await ZooKeeperConnection.connect(server.port, {}, '127.0.0.1', { maxOutstanding: 2500 });
    const replies = await Promise.all(
      Array.from({ length: 2500 }, (_, i) =>
        c.request(OpCode.exists, PathWatchRequest, { path: i % 2 ? '/keep' : '/none', watch: false }),
      ),
    );
    expect(replies.map((r) => r.header.err)).toEqual(Array.from({ length: 2500 }, (_, i) => (i % 2 ? 0 : ErrorCode.noNode)));
    c.destroy();
  });

  it('refuses connections beyond maxClientCnxns from one address', async () => {
    const limited = await startTestServer({ maxClientCnxns: 2 });
    const a = await ZooKeeperConnection.connect(limited.port);
    const b = await ZooKeeperConnection.connect(limited.port);
    const third = await ZooKeeperConnection.open(limited.port);
    await third.closed;
    a.destroy();
    b.destroy();
    await limited.destroy();
  });
});
