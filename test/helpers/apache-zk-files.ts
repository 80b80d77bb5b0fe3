// Apache ZooKeeper's snapshot and transaction log files built byte by byte, for the import's unit tests
// (the compat test reads files a real Apache ZooKeeper wrote). Layouts as protocol/zookeeper/apache-*.ts
// describe them.
import { Writer } from '../../protocol/bytes.js';
import { adler32 } from '../../protocol/checksum/adler32.js';
import type { ApacheStat } from '../../protocol/zookeeper/apache-snapshot.js';
import { LOG_MAGIC } from '../../protocol/zookeeper/apache-txn-log.js';
import { buffer, ustring } from '../../protocol/zookeeper/jute.js';
import { ACLList, type ACL } from '../../protocol/zookeeper/records.js';
import { encodeTransaction, type Transaction } from '../../protocol/zookeeper/txn.js';

export interface SnapshotNode {
  /** "" for the root, as Apache writes it. */
  path: string;
  data: Buffer | null;
  aclKey: bigint;
  stat: Partial<ApacheStat>;
}

export interface SnapshotContents {
  sessions?: [bigint, number][];
  acls?: [bigint, ACL[]][];
  nodes: SnapshotNode[];
  digest?: boolean;
  lastZxid?: bigint;
}

function seal(w: Writer): void {
  w.bigint64(BigInt(adler32(w.toBuffer())));
  ustring.write(w, '/');
}

export function apacheSnapshot(c: SnapshotContents): Buffer {
  const w = new Writer();
  w.int32(0x5a4b534e).int32(2).bigint64(-1n);
  w.int32(c.sessions?.length ?? 0);
  for (const [id, timeout] of c.sessions ?? []) w.bigint64(id).int32(timeout);
  w.int32(c.acls?.length ?? 0);
  for (const [key, acl] of c.acls ?? []) {
    w.bigint64(key);
    ACLList.write(w, acl);
  }
  for (const n of c.nodes) {
    ustring.write(w, n.path);
    buffer.write(w, n.data);
    w.bigint64(n.aclKey);
    const s = n.stat;
    w.bigint64(s.czxid ?? 0n).bigint64(s.mzxid ?? 0n).int64(s.ctime ?? 0).int64(s.mtime ?? 0);
    w.int32(s.version ?? 0).int32(s.cversion ?? 0).int32(s.aversion ?? 0);
    w.bigint64(s.ephemeralOwner ?? 0n).bigint64(s.pzxid ?? 0n);
  }
  ustring.write(w, '/');
  seal(w);
  if (c.digest) {
    w.bigint64(1n).int32(2).bigint64(0x1234n);
    seal(w);
  }
  if (c.lastZxid !== undefined) {
    w.bigint64(c.lastZxid);
    seal(w);
  }
  return w.toBuffer();
}

/** One log entry as Apache 3.6+ writes it: TxnHeader, record, TxnDigest. */
export function apacheLogEntry(txn: Transaction): Buffer {
  return Buffer.concat([encodeTransaction(txn), new Writer(12).int32(2).bigint64(0x5678n).toBuffer()]);
}

/** A log file: header, each entry checksummed and ended with 'B', then `padding` zero bytes (preallocation). */
export function apacheLog(entries: Buffer[], padding = 4096): Buffer {
  const w = new Writer();
  w.int32(LOG_MAGIC).int32(2).bigint64(0n);
  for (const e of entries) {
    w.bigint64(BigInt(adler32(e))).int32(e.length).raw(e).uint8(0x42);
  }
  return Buffer.concat([w.toBuffer(), Buffer.alloc(padding)]);
}
