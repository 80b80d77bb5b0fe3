// Valid ZooKeeper request frames of every opcode a client may send, built with the jute records the
// server decodes them with, then mutated; and the reply record each opcode answers with, to check that
// replies are well-formed.
import fc from 'fast-check';
import { Reader, Writer } from '../../protocol/bytes.js';
import { OpCode, Xid } from '../../protocol/zookeeper/codes.js';
import { writeConnectRequest } from '../../protocol/zookeeper/connect.js';
import type { JuteType } from '../../protocol/zookeeper/jute.js';
import { readMultiResponse, writeMultiRequest, type MultiOp } from '../../protocol/zookeeper/multi.js';
import {
  AddWatchRequest,
  AuthPacket,
  CheckVersionRequest,
  Create2Response,
  CreateRequest,
  CreateResponse,
  CreateTTLRequest,
  DeleteRequest,
  ErrorResponse,
  GetACLResponse,
  GetAllChildrenNumberResponse,
  GetChildren2Response,
  GetChildrenResponse,
  GetDataResponse,
  GetEphemeralsResponse,
  PathRequest,
  PathWatchRequest,
  ReconfigRequest,
  SetACLRequest,
  SetDataRequest,
  SetWatches,
  SetWatches2,
  StatResponse,
  SyncResponse,
  WatchesRequest,
  WhoAmIResponse,
} from '../../protocol/zookeeper/records.js';
import { mutateAll, mutationsArb, type Mutation } from './mutations.js';

/** xid and opcode: the request header, kept out of body mutations. */
export const REQUEST_HEADER_BYTES = 8;

const PATHS = ['/', '/fuzz', '/fuzz/a', '/fuzz/a/b', '/fuzz/seq-', '/keep', '/keep/1', '/zookeeper', '/zookeeper/quota', '/zookeeper/config', '', 'fuzz', '/fuzz/', '/fuzz//a', '/fuzz/./a'];
const pathArb = fc.oneof({ arbitrary: fc.constantFrom(...PATHS), weight: 6 }, { arbitrary: fc.string({ maxLength: 16 }), weight: 1 });
const intArb = fc.oneof({ arbitrary: fc.integer({ min: -1, max: 6 }), weight: 4 }, { arbitrary: fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }), weight: 1 });
const longArb = fc.oneof({ arbitrary: fc.integer({ min: -1, max: 100_000 }), weight: 4 }, { arbitrary: fc.maxSafeInteger(), weight: 1 });
/** Session ids: small ones as servers hand them out, and any 64-bit value. */
const bigLongArb = fc.oneof(
  { arbitrary: fc.bigInt({ min: -1n, max: 100_000n }), weight: 4 },
  { arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), weight: 1 },
);
/**
 * Zxids: small ones, and any a valid frame can carry (-1 or 0..2^63-1, all the jute writer takes);
 * negative ones still reach the server through the byte mutations.
 */
const zxidArb = fc.oneof(
  { arbitrary: fc.bigInt({ min: -1n, max: 100_000n }), weight: 4 },
  { arbitrary: fc.bigInt({ min: -1n, max: 2n ** 63n - 1n }), weight: 1 },
);
const dataArb = fc.option(fc.uint8Array({ maxLength: 64 }).map(Buffer.from), { nil: null, freq: 8 });
const idArb = fc.record({
  scheme: fc.oneof(fc.constantFrom('world', 'digest', 'ip', 'auth', 'x509', 'sasl'), fc.string({ maxLength: 8 })),
  id: fc.oneof(fc.constantFrom('anyone', 'fuzz:+oO6/MHKnk5VUR5LUvL8eT3BDDo=', '127.0.0.1', '10.0.0.0/8', '', '::1/128'), fc.string({ maxLength: 16 })),
});
const aclArb = fc.array(fc.record({ perms: fc.oneof(fc.integer({ min: 0, max: 31 }), fc.integer()), id: idArb }), { maxLength: 3 });
const pathsArb = fc.array(pathArb, { maxLength: 3 });

const createArb = fc.record({ path: pathArb, data: dataArb, acl: aclArb, flags: intArb });
const pathWatchArb = fc.record({ path: pathArb, watch: fc.boolean() });
const versionedPathArb = fc.record({ path: pathArb, version: intArb });

function encoded<T>(record: JuteType<T>, arb: fc.Arbitrary<T>): fc.Arbitrary<Buffer> {
  return arb.map((value) => {
    const w = new Writer(128);
    record.write(w, value);
    return w.toBuffer();
  });
}

const multiOpArb: fc.Arbitrary<MultiOp> = fc.oneof(
  createArb.chain((req) => fc.constantFrom(OpCode.create, OpCode.create2, OpCode.createContainer).map((type) => ({ type, req }) as MultiOp)),
  fc.record({ type: fc.constant(OpCode.createTTL), req: fc.record({ path: pathArb, data: dataArb, acl: aclArb, flags: intArb, ttl: longArb }) }),
  fc.record({ type: fc.constant(OpCode.delete), req: versionedPathArb }),
  fc.record({ type: fc.constant(OpCode.setData), req: fc.record({ path: pathArb, data: dataArb, version: intArb }) }),
  fc.record({ type: fc.constant(OpCode.check), req: versionedPathArb }),
  fc.record({ type: fc.constantFrom(OpCode.getData, OpCode.getChildren), req: pathWatchArb }),
);
const multiArb = fc.array(multiOpArb, { maxLength: 4 }).map((ops) => {
  const w = new Writer(256);
  writeMultiRequest(w, ops);
  return w.toBuffer();
});

const NO_BODY = fc.constant(Buffer.alloc(0));

/** The body of a valid request, by opcode. */
const BODIES: Record<number, fc.Arbitrary<Buffer>> = {
  [OpCode.create]: encoded(CreateRequest, createArb),
  [OpCode.create2]: encoded(CreateRequest, createArb),
  [OpCode.createContainer]: encoded(CreateRequest, createArb),
  [OpCode.createTTL]: encoded(CreateTTLRequest, fc.record({ path: pathArb, data: dataArb, acl: aclArb, flags: intArb, ttl: longArb })),
  [OpCode.delete]: encoded(DeleteRequest, versionedPathArb),
  [OpCode.exists]: encoded(PathWatchRequest, pathWatchArb),
  [OpCode.getData]: encoded(PathWatchRequest, pathWatchArb),
  [OpCode.setData]: encoded(SetDataRequest, fc.record({ path: pathArb, data: dataArb, version: intArb })),
  [OpCode.getACL]: encoded(PathRequest, fc.record({ path: pathArb })),
  [OpCode.setACL]: encoded(SetACLRequest, fc.record({ path: pathArb, acl: aclArb, version: intArb })),
  [OpCode.getChildren]: encoded(PathWatchRequest, pathWatchArb),
  [OpCode.sync]: encoded(PathRequest, fc.record({ path: pathArb })),
  [OpCode.ping]: NO_BODY,
  [OpCode.getChildren2]: encoded(PathWatchRequest, pathWatchArb),
  [OpCode.check]: encoded(CheckVersionRequest, versionedPathArb),
  [OpCode.multi]: multiArb,
  [OpCode.multiRead]: multiArb,
  [OpCode.reconfig]: encoded(
    ReconfigRequest,
    fc.record({ joiningServers: fc.string({ maxLength: 24 }), leavingServers: fc.string({ maxLength: 8 }), newMembers: fc.string({ maxLength: 24 }), curConfigId: zxidArb }),
  ),
  [OpCode.checkWatches]: encoded(WatchesRequest, fc.record({ path: pathArb, type: intArb })),
  [OpCode.removeWatches]: encoded(WatchesRequest, fc.record({ path: pathArb, type: intArb })),
  [OpCode.auth]: encoded(
    AuthPacket,
    fc.record({
      type: intArb,
      scheme: fc.oneof(fc.constantFrom('digest', 'ip', 'world', 'sasl'), fc.string({ maxLength: 8 })),
      auth: fc.option(fc.oneof(fc.constant(Buffer.from('fuzz:fuzz')), fc.uint8Array({ maxLength: 24 }).map(Buffer.from)), { nil: null }),
    }),
  ),
  [OpCode.setWatches]: encoded(
    SetWatches,
    fc.record({ relativeZxid: zxidArb, dataWatches: pathsArb, existWatches: pathsArb, childWatches: pathsArb }),
  ),
  [OpCode.sasl]: fc.uint8Array({ maxLength: 32 }).map(Buffer.from),
  [OpCode.getEphemerals]: encoded(PathRequest, fc.record({ path: pathArb })),
  [OpCode.getAllChildrenNumber]: encoded(PathRequest, fc.record({ path: pathArb })),
  [OpCode.setWatches2]: encoded(
    SetWatches2,
    fc.record({
      relativeZxid: zxidArb,
      dataWatches: pathsArb,
      existWatches: pathsArb,
      childWatches: pathsArb,
      persistentWatches: pathsArb,
      persistentRecursiveWatches: pathsArb,
    }),
  ),
  [OpCode.addWatch]: encoded(AddWatchRequest, fc.record({ path: pathArb, mode: intArb })),
  [OpCode.whoAmI]: NO_BODY,
  [OpCode.closeSession]: NO_BODY,
};

export const CLIENT_OPCODES = Object.keys(BODIES).map(Number);

/** The record a successful reply to `opcode` carries after its header; null for none. */
const REPLIES: Record<number, { read(r: Reader): unknown } | null> = {
  [OpCode.create]: CreateResponse,
  [OpCode.create2]: Create2Response,
  [OpCode.createContainer]: Create2Response,
  [OpCode.createTTL]: Create2Response,
  [OpCode.delete]: null,
  [OpCode.exists]: StatResponse,
  [OpCode.getData]: GetDataResponse,
  [OpCode.setData]: StatResponse,
  [OpCode.getACL]: GetACLResponse,
  [OpCode.setACL]: StatResponse,
  [OpCode.getChildren]: GetChildrenResponse,
  [OpCode.sync]: SyncResponse,
  [OpCode.ping]: null,
  [OpCode.getChildren2]: GetChildren2Response,
  [OpCode.check]: StatResponse,
  [OpCode.multi]: { read: readMultiResponse },
  [OpCode.multiRead]: { read: readMultiResponse },
  [OpCode.reconfig]: GetDataResponse,
  [OpCode.checkWatches]: null,
  [OpCode.removeWatches]: null,
  [OpCode.auth]: null,
  [OpCode.setWatches]: null,
  [OpCode.getEphemerals]: GetEphemeralsResponse,
  [OpCode.getAllChildrenNumber]: GetAllChildrenNumberResponse,
  [OpCode.setWatches2]: null,
  [OpCode.addWatch]: ErrorResponse,
  [OpCode.whoAmI]: WhoAmIResponse,
  [OpCode.closeSession]: null,
};

/** The body record of a successful reply to `opcode`: null for none, undefined if the opcode has no success. */
export function replyRecordOf(opcode: number): { read(r: Reader): unknown } | null | undefined {
  return Object.hasOwn(REPLIES, opcode) ? REPLIES[opcode] : undefined;
}

/** Another opcode, known or not, or another xid (the reserved ones included). */
const headerArb = fc.record({
  xid: fc.option(fc.oneof(fc.constantFrom(-2, -4, -8, 0), fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff })), { freq: 2 }),
  type: fc.option(fc.oneof(fc.constantFrom(...CLIENT_OPCODES, 0, -1, -10, 10, 23, 108, 1000), fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff })), { freq: 2 }),
});

/** A request of a drawn opcode with a valid body, then mutated; one time in ten its header too. */
export const zkFrameArb: fc.Arbitrary<Buffer> = fc
  .constantFrom(...CLIENT_OPCODES)
  .chain((type) =>
    fc.record({
      type: fc.constant(type),
      xid: fc.nat(),
      body: BODIES[type]!,
      mutations: mutationsArb,
      header: fc.oneof({ arbitrary: fc.constant(null), weight: 9 }, { arbitrary: headerArb, weight: 1 }),
    }),
  )
  .map(({ type, xid, body, mutations, header }) => {
    const head = Buffer.alloc(REQUEST_HEADER_BYTES);
    head.writeInt32BE(header?.xid ?? xid, 0);
    head.writeInt32BE(header?.type ?? type, 4);
    return mutateAll(Buffer.concat([head, body]), mutations as Mutation[], REQUEST_HEADER_BYTES);
  })
  // The reply to xid -1 could not be told from a watch event (the server answers it all the same).
  .filter((frame) => frame.readInt32BE(0) !== Xid.notification);

/** A ConnectRequest frame (no size prefix) for a new session that lives `timeoutMs` past its connection. */
export function connectRequest(timeoutMs: number): Buffer {
  const w = new Writer(64);
  writeConnectRequest(w, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: timeoutMs, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
  return w.toBuffer();
}

/** A ConnectRequest with its fields drawn (resuming unknown sessions, odd timeouts), then mutated. */
export const zkConnectArb: fc.Arbitrary<Buffer> = fc
  .record({
    protocolVersion: intArb,
    lastZxidSeen: zxidArb,
    timeOut: intArb,
    sessionId: bigLongArb,
    passwd: dataArb,
    readOnly: fc.option(fc.boolean(), { nil: undefined }),
    mutations: mutationsArb,
  })
  .map(({ mutations, ...req }) => {
    const w = new Writer(64);
    writeConnectRequest(w, req);
    return mutateAll(w.toBuffer(), mutations as Mutation[]);
  });
