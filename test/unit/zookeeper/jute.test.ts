import { describe, expect, it } from 'vitest';
import { DecodeError, Reader, Writer } from '../../../protocol/bytes.js';
import { OpCode } from '../../../protocol/zookeeper/codes.js';
import {
  readConnectRequest,
  readConnectResponse,
  writeConnectResponse,
} from '../../../protocol/zookeeper/connect.js';
import { bigLong, buffer, ustring, vector, zxid } from '../../../protocol/zookeeper/jute.js';
import { EPOCH_MAX, makeZxid, ZXID_COUNTER_MAX } from '../../../src/consensus/zxid.js';
import { replyFrame } from '../../../src/zookeeper/replies.js';
import { readMultiRequest, readMultiResponse, writeMultiResponse } from '../../../protocol/zookeeper/multi.js';
import {
  AddWatchRequest,
  AuthPacket,
  CreateRequest,
  CreateResponse,
  GetACLResponse,
  GetChildrenResponse,
  GetDataResponse,
  PathWatchRequest,
  ReplyHeader,
  RequestHeader,
  Stat,
  WatcherEvent,
} from '../../../protocol/zookeeper/records.js';
import { golden, hex } from './golden.js';

function encode(write: (w: Writer) => void): string {
  const w = new Writer();
  write(w);
  return w.toBuffer().toString('hex');
}

describe('connect handshake', () => {
  it('reads a ConnectRequest without the readOnly byte (node-zookeeper-client)', () => {
    const req = readConnectRequest(new Reader(hex(golden.nzkConnectRequest)));
    expect(req).toMatchObject({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10000, sessionId: 0n, readOnly: undefined });
    expect(req.passwd).toEqual(Buffer.alloc(16));
  });

  it('reads a ConnectRequest with the readOnly byte (kazoo)', () => {
    const req = readConnectRequest(new Reader(hex(golden.kazooConnectRequest)));
    expect(req.readOnly).toBe(false);
    expect(req.timeOut).toBe(10000);
  });

  it('mirrors the request shape in the response, byte for byte', () => {
    for (const g of [golden.nzkConnectResponse, golden.kazooConnectResponse]) {
      const rsp = readConnectResponse(new Reader(hex(g)));
      expect(encode((w) => writeConnectResponse(w, rsp))).toBe(g);
    }
    expect(readConnectResponse(new Reader(hex(golden.nzkConnectResponse))).readOnly).toBeUndefined();
    expect(readConnectResponse(new Reader(hex(golden.kazooConnectResponse))).readOnly).toBe(false);
  });
});

describe('requests from real clients', () => {
  it('decodes create with its ACL and flags', () => {
    const r = new Reader(hex(golden.nzkCreate));
    expect(RequestHeader.read(r)).toEqual({ xid: 1, type: OpCode.create });
    const req = CreateRequest.read(r);
    expect(req).toEqual({
      path: '/golden',
      data: Buffer.from('hi'),
      acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }],
      flags: 0,
    });
    expect(r.remaining).toBe(0);
  });

  it('decodes ephemeral create flags, getData watches, addWatch and auth', () => {
    const c = new Reader(hex(golden.zkCliCreateEphemeral));
    RequestHeader.read(c);
    expect(CreateRequest.read(c).flags).toBe(1);

    const g = new Reader(hex(golden.nzkGetData));
    expect(RequestHeader.read(g).type).toBe(OpCode.getData);
    expect(PathWatchRequest.read(g)).toEqual({ path: '/golden', watch: true });

    const a = new Reader(hex(golden.zkCliAddWatch));
    expect(RequestHeader.read(a).type).toBe(OpCode.addWatch);
    expect(AddWatchRequest.read(a)).toEqual({ path: '/zc', mode: 1 });

    const p = new Reader(hex(golden.kazooAuth));
    expect(RequestHeader.read(p)).toEqual({ xid: -4, type: OpCode.auth });
    expect(AuthPacket.read(p)).toEqual({ type: 0, scheme: 'digest', auth: Buffer.from('user:pw') });

    const l = new Reader(hex(golden.cliMtGetChildren));
    expect(RequestHeader.read(l).type).toBe(OpCode.getChildren);
    expect(PathWatchRequest.read(l)).toEqual({ path: '/', watch: true });
  });

  it('decodes multi requests: kazoo check/create/set/delete and zkCli deleteall', () => {
    const r = new Reader(hex(golden.kazooMulti));
    expect(RequestHeader.read(r).type).toBe(OpCode.multi);
    const ops = readMultiRequest(r);
    expect(ops.map((o) => o.type)).toEqual([OpCode.check, OpCode.create, OpCode.setData, OpCode.delete]);
    expect(ops[0]!.req).toEqual({ path: '/kz', version: 0 });
    expect(ops[2]!.req).toEqual({ path: '/kz', data: Buffer.from('2'), version: -1 });

    const d = new Reader(hex(golden.zkCliDeleteAll));
    RequestHeader.read(d);
    expect(readMultiRequest(d).map((o) => o.req.path)).toEqual(['/zc/e', '/zc/s0000000001', '/zc']);
  });

  it('refuses an unknown op inside a multi', () => {
    const bad = Buffer.from('0000006300ffffffff', 'hex');
    expect(() => readMultiRequest(new Reader(bad))).toThrow(DecodeError);
  });
});

describe('replies as Apache ZooKeeper sends them', () => {
  it('encodes reply headers with create and getData bodies', () => {
    const create = hex(golden.nzkCreateReply);
    const r = new Reader(create);
    const header = ReplyHeader.read(r);
    expect(header).toEqual({ xid: 1, zxid: 2n, err: 0 });
    expect(encode((w) => (ReplyHeader.write(w, header), CreateResponse.write(w, CreateResponse.read(r))))).toBe(
      golden.nzkCreateReply,
    );

    const g = new Reader(hex(golden.nzkGetDataReply));
    const gh = ReplyHeader.read(g);
    const body = GetDataResponse.read(g);
    expect(body.data).toEqual(Buffer.from('hi'));
    expect(body.stat).toMatchObject({ czxid: 2n, mzxid: 2n, version: 0, dataLength: 2, numChildren: 0, pzxid: 2n });
    expect(encode((w) => (ReplyHeader.write(w, gh), GetDataResponse.write(w, body)))).toBe(golden.nzkGetDataReply);
  });

  it('encodes a failed multi: 0 before the failure, its code, then the end marker', () => {
    const r = new Reader(hex(golden.nzkMultiFailedReply));
    const h = ReplyHeader.read(r);
    expect(h.err).toBe(0);
    const results = readMultiResponse(r);
    expect(results).toEqual([
      { type: OpCode.error, err: 0 },
      { type: OpCode.error, err: -103 },
    ]);
    expect(encode((w) => (ReplyHeader.write(w, h), writeMultiResponse(w, results)))).toBe(golden.nzkMultiFailedReply);
  });

  it('encodes a successful multi with check, create, setData and delete results', () => {
    const r = new Reader(hex(golden.kazooMultiReply));
    const h = ReplyHeader.read(r);
    const results = readMultiResponse(r);
    expect(results.map((x) => x.type)).toEqual([OpCode.check, OpCode.create, OpCode.setData, OpCode.delete]);
    expect(encode((w) => (ReplyHeader.write(w, h), writeMultiResponse(w, results)))).toBe(golden.kazooMultiReply);
  });

  it('encodes notifications, ACL lists, children and the auth reply', () => {
    const e = new Reader(hex(golden.nzkDeletedEvent));
    const eh = ReplyHeader.read(e);
    expect(eh).toEqual({ xid: -1, zxid: -1n, err: 0 });
    const ev = WatcherEvent.read(e);
    expect(ev).toEqual({ type: 2, state: 3, path: '/golden' });
    expect(encode((w) => (ReplyHeader.write(w, eh), WatcherEvent.write(w, ev)))).toBe(golden.nzkDeletedEvent);

    const a = new Reader(hex(golden.kazooGetACLReply));
    const ah = ReplyHeader.read(a);
    const acl = GetACLResponse.read(a);
    expect(acl.acl).toEqual([{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]);
    expect(encode((w) => (ReplyHeader.write(w, ah), GetACLResponse.write(w, acl)))).toBe(golden.kazooGetACLReply);

    const c = new Reader(hex(golden.cliMtGetChildrenReply));
    const ch = ReplyHeader.read(c);
    const children = GetChildrenResponse.read(c);
    expect(children.children).toEqual(['cm hello', 'zookeeper']);
    expect(encode((w) => (ReplyHeader.write(w, ch), GetChildrenResponse.write(w, children)))).toBe(
      golden.cliMtGetChildrenReply,
    );

    expect(ReplyHeader.read(new Reader(hex(golden.kazooAuthReply)))).toEqual({ xid: -4, zxid: 0n, err: 0 });
  });

  it('keeps the Stat of an ephemeral node owned by a large session id exact', () => {
    const w = new Writer();
    const owner = 0x1000007a36b0002n;
    Stat.write(w, {
      czxid: 15n,
      mzxid: 15n,
      ctime: 1,
      mtime: 1,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: owner,
      dataLength: 3,
      numChildren: 0,
      pzxid: 15n,
    });
    expect(Stat.read(new Reader(w.toBuffer())).ephemeralOwner).toBe(owner);
  });
});

describe('bounds checks', () => {
  it('refuses lengths beyond the bytes present without allocating', () => {
    expect(() => ustring.read(new Reader(hex('7fffffff')))).toThrow(DecodeError);
    expect(() => buffer.read(new Reader(hex('00000005aabb')))).toThrow(DecodeError);
    expect(() => vector(ustring).read(new Reader(hex('10000000')))).toThrow(DecodeError);
    expect(() => ustring.read(new Reader(hex('fffffff0')))).toThrow(DecodeError);
    expect(() => RequestHeader.read(new Reader(hex('000000')))).toThrow(DecodeError);
  });

  it('reads jute nulls: buffer as null, string and vector as empty', () => {
    expect(buffer.read(new Reader(hex('ffffffff')))).toBeNull();
    expect(ustring.read(new Reader(hex('ffffffff')))).toBe('');
    expect(vector(ustring).read(new Reader(hex('ffffffff')))).toEqual([]);
  });

  it('reads int64 values beyond 2^53 exactly as bigint', () => {
    expect(bigLong.read(new Reader(hex('8000000000000000')))).toBe(-(2n ** 63n));
    expect(bigLong.read(new Reader(hex('ff00000000001000')))).toBe(-(2n ** 56n) + 0x1000n);
    expect(bigLong.read(new Reader(hex('0100000000000007')))).toBe((1n << 56n) | 7n);
    const w = new Writer();
    bigLong.write(w, (1n << 56n) | 7n);
    expect(w.toBuffer().toString('hex')).toBe('0100000000000007');
  });

  it('writes zxids up to the last epoch as the positive longs clients compare, and refuses ones that would wrap', () => {
    const last = makeZxid(EPOCH_MAX, ZXID_COUNTER_MAX);
    const w = new Writer();
    ReplyHeader.write(w, { xid: 7, zxid: last, err: 0 });
    expect(w.toBuffer().toString('hex')).toBe('000000077ffffffffffffffe00000000');
    expect(ReplyHeader.read(new Reader(w.toBuffer())).zxid).toBe(last);
    // -1 is a notification's "no transaction"; a zxid of epoch 2^31 or below -1 is a bug, not a value.
    expect(() => zxid.write(new Writer(), -1n)).not.toThrow();
    expect(() => zxid.write(new Writer(), 0x8000_0000_0000_0001n)).toThrow(RangeError);
    expect(() => zxid.write(new Writer(), BigInt.asIntN(64, 0x8000_0000_0000_0001n))).toThrow(/zxid -9223372036854775807 is not in -1..2\^63-1/);
    expect(() => replyFrame(1, -2n, 0)).toThrow(RangeError);
  });
});
