// Apache ZooKeeper's snapshot file (version-2/snapshot.<zxid>), as FileSnap, SerializeUtils, DataTree and
// ReferenceCountedACLCache write it in 3.5–3.9. Pure: bytes in (already decompressed), records out.
//
//   FileHeader      int magic "ZKSN", int version (2), long dbid
//   sessions        int count, then count × (long sessionId, int timeoutMs)
//   ACL cache       int count, then count × (long key, vector<ACL>)   key -1 means world:anyone:cdrwa
//   nodes           (ustring path, buffer data, long aclKey, StatPersisted) depth first from the root,
//                   whose path is the empty string; the path "/" ends the list
//   seal            long Adler-32 of every byte before it, ustring "/"
//   [digest]        long zxid, int version, long digest, then a seal    (3.6+, zookeeper.digest.enabled)
//   [last zxid]     long lastProcessedZxid, then a seal                  (3.9, when enabled)
//
// StatPersisted: czxid, mzxid, ctime, mtime (longs), version, cversion, aversion (ints), ephemeralOwner,
// pzxid (longs). Its cversion counts the children ever created (a client sees 2 × that − numChildren).
import { adler32 } from '../checksum/adler32.js';
import { DecodeError, Reader } from '../bytes.js';
import { buffer, ustring } from './jute.js';
import { ACLList, type ACL } from './records.js';

export const SNAPSHOT_MAGIC = 0x5a4b534e; // "ZKSN"
export const FILE_FORMAT_VERSION = 2;
/** ReferenceCountedACLCache's key for a node without an ACL list of its own: world:anyone, all permissions. */
const OPEN_ACL_KEY = -1n;

/** A damaged or foreign file, with the byte offset (in the decompressed stream) where decoding stopped. */
export class ApacheFormatError extends DecodeError {
  constructor(
    readonly detail: string,
    readonly offset: number,
  ) {
    super(`${detail} (at byte ${offset})`);
  }
}

export interface ApacheStat {
  czxid: bigint;
  mzxid: bigint;
  ctime: number;
  mtime: number;
  version: number;
  /** Children ever created: StatPersisted's cversion. */
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  pzxid: bigint;
}

export interface ApacheNode {
  /** "/" for the root (stored as the empty string). */
  path: string;
  data: Buffer | null;
  acl: readonly ACL[];
  stat: ApacheStat;
}

export interface ApacheSnapshot {
  dbid: bigint;
  sessions: Map<bigint, number>;
  nodes: ApacheNode[];
  /** The last-processed zxid trailer when the server wrote one. */
  lastZxid?: bigint;
}

/** Runs `read`, turning any decode failure into an ApacheFormatError at the reader's position. */
function at<T>(r: Reader, what: string, read: () => T): T {
  const start = r.pos;
  try {
    return read();
  } catch (err) {
    if (err instanceof ApacheFormatError) throw err;
    if (err instanceof DecodeError) throw new ApacheFormatError(`${what}: ${err.message}`, start);
    throw err;
  }
}

function readSeal(r: Reader, bytes: Buffer, what: string): void {
  const expected = adler32(bytes.subarray(0, r.pos));
  const sealAt = r.pos;
  const stored = at(r, `${what} checksum`, () => r.bigint64());
  if (stored !== BigInt(expected)) {
    throw new ApacheFormatError(`${what} checksum ${stored.toString(16)} does not match the data's ${expected.toString(16)}`, sealAt);
  }
  const slash = at(r, `${what} end marker`, () => ustring.read(r));
  if (slash !== '/') throw new ApacheFormatError(`${what} checksum not followed by the "/" marker`, sealAt + 8);
}

function readStat(r: Reader): ApacheStat {
  return {
    czxid: r.bigint64(),
    mzxid: r.bigint64(),
    ctime: r.int64(),
    mtime: r.int64(),
    version: r.int32(),
    cversion: r.int32(),
    aversion: r.int32(),
    ephemeralOwner: r.bigint64(),
    pzxid: r.bigint64(),
  };
}

/** Bytes of a seal: the checksum long and the ustring "/". */
const SEAL_BYTES = 8 + 4 + 1;
const DIGEST_BYTES = 8 + 4 + 8;

export function decodeSnapshot(bytes: Buffer): ApacheSnapshot {
  const r = new Reader(bytes);
  const magic = at(r, 'file header', () => r.int32());
  if (magic !== SNAPSHOT_MAGIC) throw new ApacheFormatError(`not a ZooKeeper snapshot (magic ${(magic >>> 0).toString(16)})`, 0);
  const version = at(r, 'file header', () => r.int32());
  if (version !== FILE_FORMAT_VERSION) throw new ApacheFormatError(`snapshot format version ${version}, expected ${FILE_FORMAT_VERSION}`, 4);
  const dbid = at(r, 'file header', () => r.bigint64());

  const sessions = new Map<bigint, number>();
  const sessionCount = at(r, 'session count', () => r.int32());
  if (sessionCount < 0 || sessionCount * 12 > r.remaining) throw new ApacheFormatError(`bad session count ${sessionCount}`, r.pos - 4);
  for (let i = 0; i < sessionCount; i++) at(r, 'session', () => sessions.set(r.bigint64(), r.int32()));

  const acls = new Map<bigint, readonly ACL[]>([[OPEN_ACL_KEY, [{ perms: 0x1f, id: { scheme: 'world', id: 'anyone' } }]]]);
  const aclCount = at(r, 'ACL cache size', () => r.int32());
  if (aclCount < 0 || aclCount * 12 > r.remaining) throw new ApacheFormatError(`bad ACL cache size ${aclCount}`, r.pos - 4);
  for (let i = 0; i < aclCount; i++) at(r, 'ACL cache entry', () => acls.set(r.bigint64(), ACLList.read(r)));

  const nodes: ApacheNode[] = [];
  for (;;) {
    const nodeAt = r.pos;
    const path = at(r, 'znode path', () => ustring.read(r));
    if (path === '/') break;
    if (path !== '' && !path.startsWith('/')) throw new ApacheFormatError(`znode path ${JSON.stringify(path)} is not absolute`, nodeAt);
    const node = at(r, `znode ${path || '/'}`, () => {
      const data = buffer.read(r);
      const aclKey = r.bigint64();
      const acl = acls.get(aclKey);
      if (!acl) throw new DecodeError(`ACL key ${aclKey} is not in the ACL cache`);
      return { path: path || '/', data, acl, stat: readStat(r) };
    });
    nodes.push(node);
  }
  readSeal(r, bytes, 'snapshot');

  const snapshot: ApacheSnapshot = { dbid, sessions, nodes };
  // The optional trailers come in a fixed order; how many bytes are left tells which were written.
  if (r.remaining === DIGEST_BYTES + SEAL_BYTES || r.remaining === DIGEST_BYTES + SEAL_BYTES + 8 + SEAL_BYTES) {
    at(r, 'digest', () => r.bytes(DIGEST_BYTES));
    readSeal(r, bytes, 'digest');
  }
  if (r.remaining === 8 + SEAL_BYTES) {
    snapshot.lastZxid = at(r, 'last zxid', () => r.bigint64());
    readSeal(r, bytes, 'last zxid');
  }
  if (r.remaining !== 0) throw new ApacheFormatError(`${r.remaining} unexpected bytes after the snapshot`, r.pos);
  return snapshot;
}

/** StatPersisted's ephemeralOwner for a TTL node: 0xFF in the top byte, 0x0000 below it, the TTL (ms) in the low 40 bits. */
export function ttlOf(ephemeralOwner: bigint): number | undefined {
  const u = BigInt.asUintN(64, ephemeralOwner);
  if (u >> 56n !== 0xffn || ((u >> 40n) & 0xffffn) !== 0n) return undefined;
  return Number(u & 0xff_ffff_ffffn);
}
