// Recovery at open: torn and corrupt tails cut at the last intact batch, lost or corrupt indexes rebuilt,
// the checkpoint sparing a clean restart (and most of an unclean one) from rescanning.
import { cp, mkdir, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE, readCheckpoint, writeCheckpoint } from '../../../src/log/checkpoint.js';
import { makeBatch } from './batches.js';
import { openLog, readAll, T0, tempDir } from './fixture.js';

const CFG = { segmentBytes: 2000, indexIntervalBytes: 150 };

type Snapshot = Map<string, Buffer>;

async function snapshot(dir: string): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const name of await readdir(dir)) out.set(name, await readFile(join(dir, name)));
  return out;
}

async function restore(snap: Snapshot, dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  for (const [name, bytes] of snap) await writeFile(join(dir, name), bytes);
}

interface Built {
  snap: Snapshot;
  /** Offset and .log position of every batch of the active segment. */
  activeBatches: { offset: number; position: number; size: number }[];
  activeName: string;
  activeBytes: number;
  values: string[];
}

/** A closed log of several segments whose active one holds 8 batches of varied sizes. */
async function buildLog(): Promise<Built> {
  const dir = await tempDir();
  const log = await openLog(dir, CFG);
  const values: string[] = [];
  for (let i = 0; i < 40; i++) {
    const v = `value-${i}-${'z'.repeat((i * 53) % 120)}`;
    values.push(v);
    log.append(makeBatch([{ value: v, timestamp: T0 + i }]), T0);
  }
  const bases = log.segmentBaseOffsets();
  const activeBase = bases[bases.length - 1]!;
  // Top up the active segment so it holds exactly 8 batches.
  while (log.logEndOffset - activeBase < 8) {
    const v = `extra-${log.logEndOffset}`;
    values.push(v);
    log.append(makeBatch([{ value: v, timestamp: T0 + 100 }]), T0);
  }
  expect(log.segmentBaseOffsets().at(-1)).toBe(activeBase);
  const activeBatches: Built['activeBatches'] = [];
  let position = 0;
  for (let offset = activeBase; offset < log.logEndOffset; offset++) {
    const r = await log.read(offset, 1);
    activeBatches.push({ offset, position, size: r.sizeBytes });
    position += r.sizeBytes;
  }
  await log.close();
  const activeName = `${String(activeBase).padStart(20, '0')}.log`;
  return { snap: await snapshot(dir), activeBatches, activeName, activeBytes: position, values };
}

async function expectIntactPrefix(dir: string, built: Built, keptBatches: number): Promise<void> {
  const log = await openLog(dir, CFG);
  const end = built.activeBatches[keptBatches]?.offset ?? built.activeBatches.at(-1)!.offset + 1;
  expect(log.logEndOffset).toBe(end);
  const records = await readAll(log);
  expect(records.map((r) => r.value)).toEqual(built.values.slice(0, end));
  expect((await stat(join(dir, built.activeName))).size).toBe(built.activeBatches[keptBatches]?.position ?? built.activeBytes);
  await log.close();
}

describe('torn tails', () => {
  it('keeps exactly the intact batches when the active segment is cut at any byte of its last batch', async () => {
    const built = await buildLog();
    const last = built.activeBatches.at(-1)!;
    const dir = await tempDir();
    for (let cut = last.position; cut < built.activeBytes; cut++) {
      await restore(built.snap, dir);
      await truncate(join(dir, built.activeName), cut);
      await expectIntactPrefix(dir, built, built.activeBatches.length - 1);
    }
  });

  it('drops the last batch when any byte of it is corrupt (except the epoch, which no checksum covers)', async () => {
    const built = await buildLog();
    const last = built.activeBatches.at(-1)!;
    const dir = await tempDir();
    for (let at = last.position; at < built.activeBytes; at++) {
      await restore(built.snap, dir);
      const file = join(dir, built.activeName);
      const bytes = await readFile(file);
      bytes[at]! ^= 0xff;
      await writeFile(file, bytes);
      // The checkpoint still says clean with the same size; a crash leaves it unclean.
      await markUnclean(dir);
      const rel = at - last.position;
      const epochByte = rel >= 12 && rel < 16;
      await expectIntactPrefix(dir, built, built.activeBatches.length - (epochByte ? 0 : 1));
    }
  });

  it('cuts at the first corrupt batch anywhere in the active segment, dropping what follows', async () => {
    const built = await buildLog();
    const dir = await tempDir();
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 12; round++) {
      const at = random(built.activeBatches.at(-1)!.position);
      const hit = built.activeBatches.findIndex((b) => at >= b.position && at < b.position + b.size);
      const rel = at - built.activeBatches[hit]!.position;
      if (rel >= 12 && rel < 16) continue;
      await restore(built.snap, dir);
      const file = join(dir, built.activeName);
      const bytes = await readFile(file);
      bytes[at] = (bytes[at]! + 1 + random(255)) & 0xff;
      await writeFile(file, bytes);
      await markUnclean(dir);
      await expectIntactPrefix(dir, built, hit);
    }
  });

  it('with no checkpoint, scans everything and removes segments after a corrupt one', async () => {
    const built = await buildLog();
    const dir = await tempDir();
    await restore(built.snap, dir);
    await rm(join(dir, CHECKPOINT_FILE));
    const first = join(dir, '00000000000000000000.log');
    const bytes = await readFile(first);
    bytes[bytes.length - 5]! ^= 0x55;
    await writeFile(first, bytes);
    const log = await openLog(dir);
    expect(log.segmentBaseOffsets()).toEqual([0]);
    const kept = log.logEndOffset;
    expect(kept).toBeGreaterThan(3);
    expect((await readAll(log)).map((r) => r.value)).toEqual(built.values.slice(0, kept));
    expect((await readdir(dir)).filter((f) => f.endsWith('.log'))).toEqual(['00000000000000000000.log']);
  });
});

async function markUnclean(dir: string): Promise<void> {
  const cpNow = await readCheckpoint(dir);
  if (typeof cpNow === 'string') throw new Error(cpNow);
  await writeCheckpoint(dir, { ...cpNow, clean: false });
}

describe('index rebuild', () => {
  it('rebuilds deleted index files of every segment identically', async () => {
    const built = await buildLog();
    const dir = await tempDir();
    await restore(built.snap, dir);
    const indexNames = [...built.snap.keys()].filter((n) => n.endsWith('index'));
    expect(indexNames.length).toBeGreaterThan(4);
    for (const n of indexNames) await rm(join(dir, n));
    const log = await openLog(dir, CFG);
    expect(log.recoveredSegments).toBe(indexNames.length / 2);
    for (const n of indexNames) expect((await readFile(join(dir, n))).equals(built.snap.get(n)!)).toBe(true);
    expect((await readAll(log)).map((r) => r.value)).toEqual(built.values);
    const topped = built.values.length > 40;
    expect(await log.maxTimestampOffset()).toMatchObject(topped ? { offset: 40, timestamp: T0 + 100 } : { offset: 39, timestamp: T0 + 39 });
  });

  it('rebuilds corrupt index files instead of trusting them', async () => {
    const built = await buildLog();
    const dir = await tempDir();
    const garbage: [string, (b: Buffer) => Buffer][] = [
      ['00000000000000000000.index', (b) => b.subarray(0, b.length - 3)],
      ['00000000000000000000.timeindex', (b) => Buffer.concat([b, b.subarray(0, 12)])],
      ['00000000000000000000.index', (b) => Buffer.alloc(b.length, 0xff)],
      ['00000000000000000000.index', () => Buffer.alloc(1 << 20)],
    ];
    for (const [name, spoil] of garbage) {
      await restore(built.snap, dir);
      await writeFile(join(dir, name), spoil(built.snap.get(name)!));
      const log = await openLog(dir, CFG);
      expect(log.recoveredSegments).toBe(1);
      expect((await readFile(join(dir, name))).equals(built.snap.get(name)!)).toBe(true);
      expect((await readAll(log)).map((r) => r.value)).toEqual(built.values);
      await log.close();
    }
  });
});

describe('recovery point and clean shutdown', () => {
  it('skips recovery after a clean close, and scans only the tail after a crash', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, { segmentBytes: 500 });
    for (let i = 0; i < 40; i++) log.append(makeBatch([`r${i}`.padEnd(80, '.')]), T0);
    await log.flush();
    expect(log.segmentCount).toBeGreaterThan(5);
    // A crash now leaves the files as they are, the checkpoint saying "open".
    const crashed = await tempDir();
    await cp(dir, crashed, { recursive: true });
    await log.close();

    const clean = await openLog(dir, { segmentBytes: 500 });
    expect(clean.recoveredSegments).toBe(0);
    expect(clean.logEndOffset).toBe(40);

    const afterCrash = await openLog(crashed, { segmentBytes: 500 });
    // No checkpoint was taken since open (LogManager takes them periodically): the recovery point on
    // disk is still 0, so everything is scanned.
    expect(afterCrash.recoveredSegments).toBe(afterCrash.segmentCount);
    expect(afterCrash.logEndOffset).toBe(40);
    await afterCrash.checkpoint();
    await afterCrash.close();
    expect((await readCheckpoint(crashed)) as object).toMatchObject({ clean: true, recoveryPoint: 40 });
  });

  it('after a crash, keeps every record acknowledged as durable and rescans only from the recovery point', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, { segmentBytes: 500 });
    for (let i = 0; i < 30; i++) log.append(makeBatch([`r${i}`.padEnd(80, '.')]), T0);
    await log.waitDurable(29);
    await log.checkpoint();
    for (let i = 30; i < 33; i++) log.append(makeBatch([`r${i}`.padEnd(80, '.')]), T0);
    await log.waitDurable(32);
    const crashed = await tempDir();
    await cp(dir, crashed, { recursive: true });
    const again = await openLog(crashed, { segmentBytes: 500 });
    expect(again.recoveredSegments).toBeLessThanOrEqual(2);
    expect(again.logEndOffset).toBe(33);
    expect((await readAll(again)).map((r) => r.value.slice(0, 3))).toEqual(Array.from({ length: 33 }, (_, i) => `r${i}`.padEnd(80, '.').slice(0, 3)));
  });

  it('rewrites the checkpoint only when the log start or recovery point moved', async () => {
    const dir = await tempDir();
    const log = await openLog(dir);
    const inode = async (): Promise<number> => (await stat(join(dir, CHECKPOINT_FILE))).ino;
    const first = await inode();
    await log.checkpoint();
    expect(await inode()).toBe(first);
    log.append(makeBatch(['a']), T0);
    await log.flush();
    await log.checkpoint();
    const second = await inode();
    expect(second).not.toBe(first);
    expect(await readCheckpoint(dir)).toMatchObject({ recoveryPoint: 1, clean: false });
    await log.checkpoint();
    expect(await inode()).toBe(second);
  });

  it('treats a clean checkpoint that disagrees with the active segment as a crash', async () => {
    const built = await buildLog();
    const dir = await tempDir();
    await restore(built.snap, dir);
    // Bytes appended after the clean close, never checkpointed: a torn half batch.
    const file = join(dir, built.activeName);
    await writeFile(file, Buffer.concat([await readFile(file), Buffer.from([0, 0, 0, 0, 0, 0, 0, 9, 0, 0])]));
    await expectIntactPrefix(dir, built, built.activeBatches.length);
  });

  it('rejects a corrupt checkpoint and recovers everything', async () => {
    const built = await buildLog();
    const dir = await tempDir();
    await restore(built.snap, dir);
    const cpBytes = built.snap.get(CHECKPOINT_FILE)!;
    const spoiled = Buffer.from(cpBytes);
    spoiled[10]! ^= 1;
    await writeFile(join(dir, CHECKPOINT_FILE), spoiled);
    expect(await readCheckpoint(dir)).toBe('checkpoint CRC mismatch');
    const log = await openLog(dir);
    expect(log.recoveredSegments).toBe(log.segmentCount);
    expect((await readAll(log)).map((r) => r.value)).toEqual(built.values);
  });
});
