// The transaction log and snapshots on a disk that cuts writes short or refuses them, injected through
// the file layer they open files with: a short write is finished before the transaction is reported
// durable; a refused one is reported as fatal, its transactions are never reported durable, and every
// transaction that was reported durable is recovered. Byte counts decide every fault.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpCode } from '../../../protocol/zookeeper/codes.js';
import type { Transaction } from '../../../protocol/zookeeper/txn.js';
import { useFileLayer } from '../../../src/fs/file-layer.js';
import { DiskFullError } from '../../../src/fs/write-all.js';
import { createLogger } from '../../../src/logger.js';
import { DataTree } from '../../../src/znode/data-tree.js';
import { ZkDatabase } from '../../../src/zookeeper/persistence/database.js';
import { recover } from '../../../src/zookeeper/persistence/recovery.js';
import { writeSnapshot } from '../../../src/zookeeper/persistence/snapshot.js';
import { FaultyFiles } from '../../helpers/faulty-files.js';

const log = createLogger('silent');
const acl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
let dir: string;
let restore: (() => void) | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skein-zk-full-'));
});
afterEach(async () => {
  restore?.();
  restore = undefined;
  await rm(dir, { recursive: true, force: true });
});

function faulty(affects: (path: string) => boolean): FaultyFiles {
  const files = new FaultyFiles(affects);
  restore = useFileLayer(files);
  return files;
}

function createTxn(zxid: number): Transaction {
  return {
    clientId: 9n,
    cxid: zxid,
    zxid: BigInt(zxid),
    time: 1000 + zxid,
    body: { type: OpCode.create, path: `/n${zxid}`, data: Buffer.alloc(200, zxid), acl, ephemeral: false, parentCVersion: zxid },
  };
}

/** Appends creates 1..count one at a time, each after the previous one was durable or the log failed. */
async function appendUntilFailure(count: number): Promise<{ durable: number; fatal: Error | undefined }> {
  let durable = 0;
  let fatal: Error | undefined;
  let settle: () => void = () => undefined;
  const db = await ZkDatabase.open({
    dataDir: dir,
    dataLogDir: dir,
    forceSync: true,
    maxRecordBytes: 1 << 20,
    segmentBytes: 1 << 20,
    log,
    onDurable: (z) => {
      durable = Number(z);
      settle();
    },
    onFatal: (err) => {
      fatal = err;
      settle();
    },
  });
  for (let zxid = 1; zxid <= count && !fatal; zxid++) {
    const done = new Promise<void>((resolve) => (settle = resolve));
    db.append(createTxn(zxid));
    db.tree.apply(createTxn(zxid));
    await done;
  }
  await db.close();
  return { durable, fatal };
}

describe('transaction log on a faulty disk', () => {
  it('finishes writes the kernel cut short before reporting them durable', async () => {
    const files = faulty((path) => path.includes('log.'));
    files.halveWrites = true;
    const { durable, fatal } = await appendUntilFailure(30);
    expect(fatal).toBeUndefined();
    expect(durable).toBe(30);
    expect(files.shortWrites).toBeGreaterThan(0);
    restore!();
    const { tree } = await recover(dir, dir, 1 << 20, log);
    expect(tree.lastProcessedZxid).toBe(30n);
  });

  it('reports a write the disk refused as fatal and recovers every transaction reported durable', async () => {
    const files = faulty((path) => path.includes('log.'));
    // The segment header and its 4 MiB of zero fill, then room for a few records: the write after is cut
    // short inside a record and the rest refused.
    files.room = 8 + 4 * 1024 * 1024 + 1000;
    const { durable, fatal } = await appendUntilFailure(50);
    expect(fatal).toBeInstanceOf(DiskFullError);
    expect(durable).toBeGreaterThan(0);
    expect(durable).toBeLessThan(50);
    restore!();
    const { tree } = await recover(dir, dir, 1 << 20, log);
    expect(tree.lastProcessedZxid).toBeGreaterThanOrEqual(durable);
    for (let zxid = 1; zxid <= durable; zxid++) expect(tree.get(`/n${zxid}`), `durable zxid ${zxid}`).toBeDefined();
  });
});

describe('snapshots on a faulty disk', () => {
  function bigTree(): DataTree {
    const tree = new DataTree();
    for (let zxid = 1; zxid <= 40; zxid++) tree.apply(createTxn(zxid));
    return tree;
  }

  it('finishes writes the kernel cut short', async () => {
    const files = faulty((path) => path.includes('snapshot.'));
    files.halveWrites = true;
    expect(await writeSnapshot(bigTree(), dir)).toBe(40n);
    expect(files.shortWrites).toBeGreaterThan(0);
    restore!();
    const { tree, snapshotZxid } = await recover(dir, dir, 1 << 20, log);
    expect(snapshotZxid).toBe(40n);
    expect(tree.get('/n40')!.data).toEqual(Buffer.alloc(200, 40));
  });

  it('fails a snapshot the disk has no room for, leaving no file behind', async () => {
    const files = faulty((path) => path.includes('snapshot.'));
    files.room = 3000;
    await expect(writeSnapshot(bigTree(), dir)).rejects.toBeInstanceOf(DiskFullError);
    expect(await readdir(dir)).toEqual([]);
  });
});
