// The contents of a snapshot as bytes: the session table, then one record per znode. Pure: the file
// layout (blocks, checksums, names) lives with the persistence code. Nodes are written one at a time
// from a live tree, so a snapshot taken while transactions keep applying (fuzzy) is still readable;
// replaying the log from the snapshot's zxid makes it exact.
import { DecodeError, Reader, Writer } from '../../protocol/bytes.js';
import { ACLList } from '../../protocol/zookeeper/records.js';
import { buffer, ustring } from '../../protocol/zookeeper/jute.js';
import { ownBytes, type DataTree } from './data-tree.js';
import { CONTAINER_OWNER, serverIdOf, ZNode } from './znode.js';

const NODE = 1;
const END = 0;

/**
 * Opens the session table with each server's highest session id. Earlier snapshots held one id there,
 * the highest of all; no session id is Long.MIN_VALUE (containers' owner), so it marks the newer layout.
 */
const SESSION_ID_HIGHS = CONTAINER_OWNER;

/** Each server's highest session id created, then the session table (id -> timeout). */
export function writeSessions(w: Writer, tree: DataTree): void {
  const highs = [...tree.sessionIdHighEntries()];
  w.bigint64(SESSION_ID_HIGHS).int32(highs.length);
  for (const [server, id] of highs) w.uint8(server).bigint64(id);
  w.int32(tree.sessions.size);
  for (const [id, timeout] of tree.sessions) w.bigint64(id).int32(timeout);
}

export function readSessions(r: Reader, tree: DataTree): void {
  const first = r.bigint64();
  if (first === SESSION_ID_HIGHS) {
    const servers = r.int32();
    if (servers < 0 || servers > 256 || servers * 9 > r.remaining) throw new DecodeError(`bad session id high count ${servers}`);
    for (let i = 0; i < servers; i++) {
      const server = r.uint8();
      const id = r.bigint64();
      if (serverIdOf(id) !== server) throw new DecodeError(`session id ${id.toString(16)} listed as server ${server}'s highest`);
      tree.noteSessionId(id);
    }
  } else if (first !== 0n) {
    // An earlier snapshot: only the highest id of all, which is at least its own server's highest.
    tree.noteSessionId(first);
  }
  const n = r.int32();
  if (n < 0 || n * 12 > r.remaining) throw new DecodeError(`bad session count ${n}`);
  for (let i = 0; i < n; i++) tree.sessions.set(r.bigint64(), r.int32());
}

export function writeNode(w: Writer, path: string, node: ZNode): void {
  w.uint8(NODE);
  ustring.write(w, path);
  buffer.write(w, node.data);
  ACLList.write(w, node.acl.entries);
  w.bigint64(node.czxid).bigint64(node.mzxid).int64(node.ctime).int64(node.mtime);
  w.int32(node.version).int32(node.childCreates).int32(node.aversion);
  w.bigint64(node.owner).int64(node.ttl).bigint64(node.pzxid);
}

export function writeEnd(w: Writer): void {
  w.uint8(END);
}

/** Reads node records into `tree` until the end marker; returns false when `r` ran out first. */
export function readNodes(r: Reader, tree: DataTree): boolean {
  while (r.remaining > 0) {
    if (r.uint8() === END) return true;
    const path = ustring.read(r);
    const data = buffer.read(r);
    const acl = ACLList.read(r);
    const czxid = r.bigint64();
    const mzxid = r.bigint64();
    const ctime = r.int64();
    const mtime = r.int64();
    const version = r.int32();
    const childCreates = r.int32();
    const aversion = r.int32();
    const owner = r.bigint64();
    const ttl = r.int64();
    const pzxid = r.bigint64();
    const node = new ZNode(ownBytes(data), tree.aclCache.acquire(acl), czxid, ctime, owner, ttl);
    node.mzxid = mzxid;
    node.mtime = mtime;
    node.version = version;
    node.childCreates = childCreates;
    node.aversion = aversion;
    node.pzxid = pzxid;
    tree.restoreNode(path, node);
  }
  return false;
}

/**
 * The whole tree as one buffer (an ensemble's consensus snapshot): last zxid, sessions, nodes, end. Taken
 * between two applied transactions, so it is exact, not fuzzy.
 */
export function encodeTree(tree: DataTree): Buffer {
  const w = new Writer(64 * 1024);
  w.bigint64(tree.lastProcessedZxid);
  writeSessions(w, tree);
  for (const [path, node] of tree.entries()) writeNode(w, path, node);
  writeEnd(w);
  return w.toBuffer();
}

/** Replaces everything in `tree` with what `encodeTree` wrote; throws DecodeError on damaged bytes. */
export function decodeTreeInto(tree: DataTree, bytes: Uint8Array): void {
  const r = new Reader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  tree.reset();
  tree.lastProcessedZxid = r.bigint64();
  readSessions(r, tree);
  if (!readNodes(r, tree) || r.remaining !== 0) throw new DecodeError('tree snapshot is incomplete');
  tree.linkSnapshot();
}
