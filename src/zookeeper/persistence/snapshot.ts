// Snapshot files: snapshot.<zxid>, where zxid is the last transaction applied when the snapshot
// began. The tree is written a block at a time while transactions keep applying (a fuzzy snapshot, as
// ZooKeeper takes them); recovery loads it and replays the log from that zxid, which makes it exact.
//
// Layout: blocks of [int32 length][uint32 CRC-32C][bytes]. The first holds "SKZS", the version, the
// zxid and the session table; the rest hold whole node records, the last one ending with the end
// marker. A file is used only if every block checks and the end marker is there; it is written under
// a temporary name, fsynced and renamed, so a crash never leaves a half snapshot under the real name.
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DecodeError, Reader, Writer } from '../../../protocol/bytes.js';
import { crc32c } from '../../../protocol/checksum/crc32c.js';
import { openFile } from '../../fs/file-layer.js';
import { writeAll } from '../../fs/write-all.js';
import { DataTree } from '../../znode/data-tree.js';
import { readNodes, readSessions, writeEnd, writeNode, writeSessions } from '../../znode/snapshot-codec.js';
import { syncDirectory } from '../../fs/dir-sync.js';
import { zxidName } from './files.js';

const MAGIC = 0x534b5a53; // "SKZS"
const VERSION = 1;
/** Node records per block are gathered until a block reaches this size. */
const BLOCK_BYTES = 1024 * 1024;

function block(body: Buffer): Buffer[] {
  const head = Buffer.allocUnsafe(8);
  head.writeInt32BE(body.length, 0);
  head.writeUInt32BE(crc32c(body), 4);
  return [head, body];
}

/**
 * Writes a snapshot of `tree` into `dir` and returns its zxid, or undefined when one for that zxid
 * exists already. Yields to the event loop between blocks, so requests keep flowing meanwhile.
 */
export async function writeSnapshot(tree: DataTree, dir: string): Promise<bigint | undefined> {
  const zxid = tree.lastProcessedZxid;
  const finalPath = join(dir, zxidName('snapshot', zxid));
  const tmpPath = `${finalPath}.tmp`;
  const file = await openFile(tmpPath, 'w');
  let position = 0;
  const append = async (body: Buffer): Promise<void> => {
    await writeAll(file, block(body), position);
    position += 8 + body.length;
  };
  try {
    const head = new Writer(64);
    head.int32(MAGIC).int32(VERSION).bigint64(zxid);
    writeSessions(head, tree);
    await append(head.toBuffer());
    let w = new Writer(BLOCK_BYTES);
    for (const [path, node] of tree.entries()) {
      writeNode(w, path, node);
      if (w.length >= BLOCK_BYTES) {
        await append(w.toBuffer());
        w = new Writer(BLOCK_BYTES);
      }
    }
    writeEnd(w);
    await append(w.toBuffer());
    await file.sync();
  } catch (err) {
    await file.close();
    await rm(tmpPath, { force: true });
    throw err;
  }
  await file.close();
  await rename(tmpPath, finalPath);
  await syncDirectory(dir);
  return zxid;
}

/** Loads a snapshot file into a new tree; throws DecodeError if any part of it is damaged. */
export async function readSnapshot(path: string): Promise<DataTree> {
  const buf = await readFile(path);
  const tree = new DataTree();
  let pos = 0;
  let first = true;
  let ended = false;
  while (pos < buf.length && !ended) {
    if (pos + 8 > buf.length) throw new DecodeError('short block header');
    const len = buf.readInt32BE(pos);
    if (len < 0 || pos + 8 + len > buf.length) throw new DecodeError(`bad block length ${len} at ${pos}`);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (crc32c(body) !== buf.readUInt32BE(pos + 4)) throw new DecodeError(`checksum mismatch in block at ${pos}`);
    pos += 8 + len;
    const r = new Reader(body);
    if (first) {
      if (r.int32() !== MAGIC) throw new DecodeError('not a snapshot');
      const version = r.int32();
      if (version !== VERSION) throw new DecodeError(`unknown snapshot version ${version}`);
      tree.lastProcessedZxid = r.bigint64();
      readSessions(r, tree);
      first = false;
      continue;
    }
    ended = readNodes(r, tree);
  }
  if (!ended || pos !== buf.length) throw new DecodeError('snapshot is incomplete');
  tree.linkSnapshot();
  return tree;
}
