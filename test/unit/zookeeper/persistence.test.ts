import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpCode } from '../../../protocol/zookeeper/codes.js';
import type { Transaction } from '../../../protocol/zookeeper/txn.js';
import { makeZxid } from '../../../src/consensus/zxid.js';
import { DirLockedError } from '../../../src/fs/dir-lock.js';
import { createLogger } from '../../../src/logger.js';
import { DataTree } from '../../../src/znode/data-tree.js';
import { ZkDatabase } from '../../../src/zookeeper/persistence/database.js';
import { recover, RecoveryError } from '../../../src/zookeeper/persistence/recovery.js';
import { writeSnapshot } from '../../../src/zookeeper/persistence/snapshot.js';

const log = createLogger('silent');
const acl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skein-zk-persist-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function createTxn(zxid: number, path: string, parentCVersion: number, ephemeral = false): Transaction {
  return {
    clientId: 9n,
    cxid: zxid,
    zxid: BigInt(zxid),
    time: 1000 + zxid,
    body: { type: OpCode.create, path, data: Buffer.from(`v${zxid}`), acl, ephemeral, parentCVersion },
  };
}

/** A create at zxid epoch:counter, numbered `n` overall (its path and the parent's cversion). */
function epochTxn(epoch: number, counter: number, n: number): Transaction {
  return { ...createTxn(n, `/e${epoch}-${counter}`, n), zxid: makeZxid(epoch, counter) };
}

/** Epoch 1 with 3 transactions, epoch 2 with 3, then epoch 5 (3 and 4 had no leader) with 4. */
const EPOCHS_1_2_5: [number, number][] = [[1, 1], [1, 2], [1, 3], [2, 1], [2, 2], [2, 3], [5, 1], [5, 2], [5, 3], [5, 4]];

const logSegments = async () => (await readdir(dir)).filter((f) => f.startsWith('log.')).sort();

/** Opens the database in `dir`; `durable` reports the last zxid the log made durable. */
async function openDb(segmentBytes = 1 << 20): Promise<{ db: ZkDatabase; durable: () => number }> {
  let durable = 0;
  const db = await ZkDatabase.open({
    dataDir: dir,
    dataLogDir: dir,
    forceSync: true,
    maxRecordBytes: 1 << 20,
    segmentBytes,
    log,
    onDurable: (z) => (durable = Number(z)),
    onFatal: (err) => {
      throw err;
    },
  });
  return { db, durable: () => durable };
}

/** Opens the database, appends `txns` (applying each as the server does once durable), closes it. */
async function writeAll(txns: Transaction[], segmentBytes = 1 << 20): Promise<number> {
  const { db, durable } = await openDb(segmentBytes);
  for (const t of txns) {
    db.append(t);
    db.tree.apply(t);
  }
  await db.close();
  return durable();
}

function sameTree(a: DataTree, b: DataTree): void {
  const dump = (t: DataTree) => [...t.entries()].map(([p, n]) => [p, n.data?.toString(), n.stat()]).sort();
  expect(dump(a)).toEqual(dump(b));
}

describe('transaction log and recovery', () => {
  it('keeps zxids exact far past 2^53 (a late epoch) in the log, snapshot names and recovery', async () => {
    // Epoch 0x7fff0000: epoch << 32 is near 2^63, where consecutive doubles are 1024 apart.
    const base = (0x7fff_0000n << 32n) | 0xffff_fff0n;
    const txns = [1n, 2n, 3n].map((i): Transaction => ({
      clientId: 9n,
      cxid: Number(i),
      zxid: base + i,
      time: 1,
      body: { type: OpCode.create, path: `/big${i}`, data: null, acl, ephemeral: false, parentCVersion: -1 },
    }));
    expect(Number(base + 1n) === Number(base + 2n)).toBe(true);
    // A snapshot at `base` stands for everything before it, so the log may start there.
    const start = new DataTree();
    start.lastProcessedZxid = base;
    await writeSnapshot(start, dir);
    await writeAll(txns);
    const first = await recover(dir, dir, 1 << 20, log);
    expect(first.tree.lastProcessedZxid).toBe(base + 3n);
    expect(first.tree.get('/big2')!.czxid).toBe(base + 2n);
    expect(await writeSnapshot(first.tree, dir)).toBe(base + 3n);
    expect(await readdir(dir)).toContain(`snapshot.${(base + 3n).toString(16).padStart(16, '0')}`);
    const second = await recover(dir, dir, 1 << 20, log);
    expect(second.snapshotZxid).toBe(base + 3n);
    expect(second.tree.get('/big3')!.mzxid).toBe(base + 3n);
  });

  it('recovers every durable transaction after a restart', async () => {
    const txns = [
      { clientId: 9n, cxid: 0, zxid: 1n, time: 1, body: { type: OpCode.createSession, timeOut: 6000 } },
      ...Array.from({ length: 50 }, (_, i) => createTxn(i + 2, `/n${i}`, i + 1)),
    ] as Transaction[];
    expect(await writeAll(txns)).toBe(51);
    const { tree, replayed } = await recover(dir, dir, 1 << 20, log);
    expect(replayed).toBe(51);
    expect(tree.lastProcessedZxid).toBe(51n);
    expect(tree.get('/n49')!.data!.toString()).toBe('v51');
    expect(tree.sessions.get(9n)).toBe(6000);
  });

  it('truncates a torn tail and keeps appending after it', async () => {
    await writeAll([createTxn(1, '/a', 1), createTxn(2, '/b', 2)]);
    const [segment] = (await readdir(dir)).filter((f) => f.startsWith('log.'));
    const path = join(dir, segment!);
    const bytes = await readFile(path);
    // A half-written third record: a plausible length and checksum, then the crash.
    const end = bytes.indexOf(Buffer.alloc(8), 8);
    const torn = Buffer.from([0, 0, 0, 40, 1, 2, 3, 4, 9, 9]);
    torn.copy(bytes, end);
    await writeFile(path, bytes.subarray(0, end + torn.length));

    const first = await recover(dir, dir, 1 << 20, log);
    expect(first.tree.get('/b')).toBeDefined();
    expect((await stat(path)).size).toBe(end);

    await writeAll([createTxn(3, '/c', 3)]);
    const second = await recover(dir, dir, 1 << 20, log);
    expect(second.tree.get('/c')).toBeDefined();
    expect(second.tree.lastProcessedZxid).toBe(3n);
  });

  it('cuts a record whose checksum does not match', async () => {
    await writeAll([createTxn(1, '/a', 1), createTxn(2, '/b', 2)]);
    const [segment] = (await readdir(dir)).filter((f) => f.startsWith('log.'));
    const path = join(dir, segment!);
    const bytes = await readFile(path);
    const end = bytes.indexOf(Buffer.alloc(8), 8);
    bytes[end - 3] = bytes[end - 3]! ^ 0xff;
    await writeFile(path, bytes);
    const { tree } = await recover(dir, dir, 1 << 20, log);
    expect(tree.get('/a')).toBeDefined();
    expect(tree.get('/b')).toBeUndefined();
  });

  it('refuses to start when a segment before the last is damaged', async () => {
    const txns = Array.from({ length: 40 }, (_, i) => createTxn(i + 1, `/s${i}`, i + 1));
    for (const t of txns) await writeAll([t], 64);
    const segments = (await readdir(dir)).filter((f) => f.startsWith('log.')).sort();
    expect(segments.length).toBeGreaterThan(2);
    const path = join(dir, segments[0]!);
    const bytes = await readFile(path);
    bytes[12] = bytes[12]! ^ 0xff;
    await writeFile(path, bytes);
    await expect(recover(dir, dir, 1 << 20, log)).rejects.toThrow(RecoveryError);
  });

  it('removes a last segment whose header never reached the disk', async () => {
    await writeAll([createTxn(1, '/a', 1)]);
    await appendFile(join(dir, 'log.00000000000000ff'), Buffer.from('SK'));
    const { tree, tail } = await recover(dir, dir, 1 << 20, log);
    expect(tree.get('/a')).toBeDefined();
    expect(tail!.path).toMatch(/log\.0000000000000001$/);
  });

  it('locks its directory: a second server on it is refused until the first closes', async () => {
    const { db } = await openDb();
    await expect(openDb()).rejects.toBeInstanceOf(DirLockedError);
    await db.close();
    const { db: again } = await openDb();
    await again.close();
  });
});

describe('a log across epochs', () => {
  const txns = EPOCHS_1_2_5.map(([e, c], i) => epochTxn(e, c, i + 1));

  it('recovers a log whose zxids jump at each epoch change, in one segment or many', async () => {
    for (const segmentBytes of [1 << 20, 64]) {
      await rm(dir, { recursive: true, force: true });
      if (segmentBytes === 64) for (const t of txns) await writeAll([t], segmentBytes);
      else await writeAll(txns, segmentBytes);
      const expected = new DataTree();
      for (const t of txns) expected.apply(t);
      const { tree, replayed } = await recover(dir, dir, 1 << 20, log);
      expect(replayed).toBe(txns.length);
      expect(tree.lastProcessedZxid).toBe(makeZxid(5, 4));
      sameTree(tree, expected);
    }
    expect((await logSegments()).length).toBeGreaterThan(3);
  });

  it('recovers from a snapshot at the end of an epoch when the log goes on in a later one', async () => {
    // A server given a snapshot at 2:3 (the last of epoch 2) keeps no log before it; its log starts at 5:1.
    const snap = new DataTree();
    for (const t of txns.slice(0, 6)) snap.apply(t);
    await writeSnapshot(snap, dir);
    await writeAll(txns.slice(6));
    const { tree, snapshotZxid, replayed } = await recover(dir, dir, 1 << 20, log);
    expect(snapshotZxid).toBe(makeZxid(2, 3));
    expect(replayed).toBe(4);
    for (const t of txns.slice(6)) snap.apply(t);
    sameTree(tree, snap);
  });

  it('snapshots between epochs, purges, and still recovers everything', async () => {
    const { db, durable } = await openDb(64);
    const expected = new DataTree();
    for (const [i, t] of txns.entries()) {
      db.append(t);
      db.tree.apply(t);
      expected.apply(t);
      // Waiting for each to be durable gives each transaction its own segment.
      for (let tries = 0; durable() !== Number(t.zxid) && tries < 10_000; tries++) await new Promise((r) => setTimeout(r, 1));
      // Snapshots after 1:2, at the end of epoch 2 and inside epoch 5, keeping the newest two.
      if (i === 1 || i === 5 || i === 7) await db.snapshot(2);
    }
    await db.close();
    expect(durable()).toBe(Number(makeZxid(5, 4)));
    // The snapshots kept are 2:3 and 5:2; recovery from 2:3 reads on from the segment holding 2:3.
    expect((await readdir(dir)).filter((f) => f.startsWith('snapshot.')).length).toBe(2);
    const name = (e: number, c: number) => `log.${makeZxid(e, c).toString(16).padStart(16, '0')}`;
    expect(await logSegments()).toEqual([name(2, 3), name(5, 1), name(5, 2), name(5, 3), name(5, 4)]);
    const { tree } = await recover(dir, dir, 1 << 20, log);
    sameTree(tree, expected);
    // Without the newer snapshot, recovery goes from 2:3 through the jump to 5:1.
    await rm(join(dir, `snapshot.${makeZxid(5, 2).toString(16).padStart(16, '0')}`));
    const older = await recover(dir, dir, 1 << 20, log);
    expect(older.snapshotZxid).toBe(makeZxid(2, 3));
    expect(older.replayed).toBe(4);
    sameTree(older.tree, expected);
  });

  it.each([
    ['inside an epoch', [[1, 1], [1, 2], [1, 4]], '0x100000002', '0x100000004'],
    ['at the start of an epoch', [[1, 1], [1, 2], [2, 2]], '0x100000002', '0x200000002'],
    ['from an empty log', [[1, 2]], '0x0', '0x100000002'],
  ] as [string, [number, number][], string, string][])('reports transactions missing %s', async (_, zxids, before, after) => {
    await writeAll(zxids.map(([e, c], i) => epochTxn(e, c, i + 1)));
    await expect(recover(dir, dir, 1 << 20, log)).rejects.toThrow(
      new RegExp(`transactions after ${before} are missing: the log in .* goes on at ${after}`),
    );
  });

  it('reports transactions missing between a snapshot and the log after it', async () => {
    const snap = new DataTree();
    for (const t of txns.slice(0, 4)) snap.apply(t);
    await writeSnapshot(snap, dir);
    await writeAll(txns.slice(5));
    await expect(recover(dir, dir, 1 << 20, log)).rejects.toThrow(/transactions after 0x200000001 are missing/);
  });
});

describe('snapshots', () => {
  it('restores from a snapshot plus the log after it, and purges what is no longer needed', async () => {
    const { db, durable } = await openDb(256);
    let zxid = 0;
    const step = () => {
      const t = createTxn(++zxid, `/k${zxid}`, zxid);
      db.append(t);
      db.tree.apply(t);
    };
    for (let i = 0; i < 20; i++) step();
    await db.snapshot(undefined);
    for (let i = 0; i < 20; i++) step();
    // Changes while the snapshot is being written (fuzzy) are fixed by the replay.
    const pending = db.snapshot(2);
    for (let i = 0; i < 20; i++) step();
    db.tree.apply({ clientId: 9n, cxid: 0, zxid: BigInt(++zxid), time: 5, body: { type: OpCode.delete, path: '/k3' } });
    db.append({ clientId: 9n, cxid: 0, zxid: BigInt(zxid), time: 5, body: { type: OpCode.delete, path: '/k3' } });
    await pending;
    for (let i = 0; i < 5; i++) step();
    await db.snapshot(2);
    await db.close();
    expect(durable()).toBe(zxid);

    const { tree, snapshotZxid } = await recover(dir, dir, 1 << 20, log);
    expect(snapshotZxid).toBe(BigInt(zxid));
    sameTree(tree, db.tree);
    const files = await readdir(dir);
    expect(files.filter((f) => f.startsWith('snapshot.')).length).toBe(2);

    // Without snapshots the remaining log alone must not be mistaken for the whole history.
    for (const f of files.filter((f) => f.startsWith('snapshot.'))) await rm(join(dir, f));
    await expect(recover(dir, dir, 1 << 20, log)).rejects.toThrow(RecoveryError);
  });

  it('skips a damaged snapshot for an older intact one', async () => {
    const tree = new DataTree();
    const txns = Array.from({ length: 5 }, (_, i) => createTxn(i + 1, `/x${i}`, i + 1));
    txns.slice(0, 3).forEach((t) => tree.apply(t));
    await writeAll(txns);
    await writeSnapshot(tree, dir);
    tree.apply(txns[3]!);
    tree.apply(txns[4]!);
    const newest = await writeSnapshot(tree, dir);
    const path = join(dir, `snapshot.${newest!.toString(16).padStart(16, '0')}`);
    const bytes = await readFile(path);
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 0xff;
    await writeFile(path, bytes);
    const recovered = await recover(dir, dir, 1 << 20, log);
    expect(recovered.snapshotZxid).toBe(3n);
    sameTree(recovered.tree, tree);
  });

  it('keeps session passwords derivable across restarts', async () => {
    const { db: a } = await openDb();
    await a.close();
    const { db: b } = await openDb();
    await b.close();
    expect(b.sessionSecret).toEqual(a.sessionSecret);
  });
});
