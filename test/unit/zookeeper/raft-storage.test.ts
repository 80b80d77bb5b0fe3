// The ensemble's durable Raft storage: what it reopens to after clean restarts, torn writes at any
// record boundary, a full disk at chosen bytes and a failing device; that a truncation or a leader's
// snapshot never half-survives; that queued Persists share fsyncs (each pass one O_DSYNC write); and
// that damage which is not a torn tail is refused rather than served.
import { constants, existsSync } from 'node:fs';
import { cp, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeStorageRecord, encodeSnapshotFile } from '../../../protocol/consensus/storage-records.js';
import { scanSegment } from '../../../protocol/record-segment.js';
import type { DurableState, Entry, Persist } from '../../../src/consensus/types.js';
import { useFileLayer } from '../../../src/fs/file-layer.js';
import { DiskFullError } from '../../../src/fs/write-all.js';
import { ZERO_FILL_BYTES } from '../../../src/fs/zero-fill.js';
import { createLogger } from '../../../src/logger.js';
import {
  openRaftStorage,
  RAFT_LOG_FORMAT,
  RaftRecoveryError,
  RaftStorageLimitError,
  type RaftStorage,
  type RaftStorageLimits,
} from '../../../src/zookeeper/quorum/raft-storage.js';
import { errnoError, FaultyFiles } from '../../helpers/faulty-files.js';
import { MemoryDisk } from '../../helpers/memory-raft-storage.js';
import { PersistWorkload } from '../../helpers/persist-workload.js';

const log = createLogger('silent');
// The logic under test does not depend on fsync reaching a platter (the kill -9 test uses a real disk);
// a tmpfs keeps the hundreds of opens here from queueing behind other tests' fsyncs.
const BASE = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const INITIAL: DurableState = { hardState: { term: 0, vote: 0, commit: 0 }, snapshot: null, entries: [] };

/** A storage with its reports recorded. */
class Opened {
  acked = 0;
  reports: number[] = [];
  failures: Error[] = [];
  storage!: RaftStorage;
  private waiters: (() => void)[] = [];

  static async open(dir: string, limits: Partial<RaftStorageLimits> = {}): Promise<Opened> {
    const o = new Opened();
    o.storage = await openRaftStorage(dir, {
      ...limits,
      log,
      onDurable: (seq) => {
        o.reports.push(seq);
        o.acked = seq;
        o.wake();
      },
      onFailure: (err) => {
        o.failures.push(err);
        o.wake();
      },
    });
    return o;
  }

  /** Resolves once `seq` is durable or the storage failed. */
  async settled(seq: number): Promise<void> {
    while (this.acked < seq && this.failures.length === 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** Writes `persists` as one pass each, waiting for each to be durable. */
async function writeEach(o: Opened, persists: readonly Persist[]): Promise<void> {
  for (const p of persists) {
    o.storage.write(p);
    await o.settled(p.seq);
  }
}

/** `count` Persists of a workload, numbered from 1, with the image after each (index 0: before any). */
function generate(seed: number, count: number, opts = {}): { persists: Persist[]; images: DurableState[] } {
  const w = new PersistWorkload(seed, opts);
  const persists: Persist[] = [];
  const images: DurableState[] = [INITIAL];
  for (let seq = 1; seq <= count; seq++) {
    const { persist, expected } = w.next(seq);
    persists.push(persist);
    images.push(expected);
  }
  return { persists, images };
}

function segmentsIn(files: string[]): string[] {
  return files.filter((f) => /^raft-log\.[0-9a-f]{16}$/.test(f)).sort();
}

function snapshotsIn(files: string[]): string[] {
  return files.filter((f) => f.startsWith('raft-snapshot.'));
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(BASE, 'skein-raft-storage-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Raft storage', () => {
  it('reopens to exactly what was written, across restarts, segment rolls, truncations and snapshots', async () => {
    const w = new PersistWorkload(11);
    let expected = INITIAL;
    let maxSegments = 0;
    for (let incarnation = 0; incarnation < 5; incarnation++) {
      const o = await Opened.open(dir, { segmentBytes: 2048 });
      expect(o.storage.durable).toEqual(expected);
      for (let seq = 1; seq <= 60; ) {
        // Groups of Persists queued together, so passes of several Persists are written too.
        const group = Math.min(1 + (seq % 5), 61 - seq);
        for (let k = 0; k < group; k++, seq++) {
          const next = w.next(seq);
          o.storage.write(next.persist);
          expected = next.expected;
        }
        await o.settled(seq - 1);
        maxSegments = Math.max(maxSegments, o.storage.stats().segments);
      }
      expect(o.failures).toEqual([]);
      await o.storage.close();
      expect(snapshotsIn(await readdir(dir)).length).toBeLessThanOrEqual(1);
    }
    const o = await Opened.open(dir);
    expect(o.storage.durable).toEqual(expected);
    await o.storage.close();
    // Segments a snapshot covers are deleted: the directory does not hold every pass ever written.
    expect(maxSegments).toBeLessThan(40);
  });

  it('group commit: Persists queued together share one fsync pass, reported once for the highest seq', async () => {
    const { persists, images } = generate(3, 200, { snapshots: false, restores: false });
    const o = await Opened.open(dir);
    for (const p of persists) o.storage.write(p);
    await o.settled(200);
    const { batches } = o.storage.stats();
    expect(o.storage.stats().persists).toBe(200);
    expect(batches).toBeLessThanOrEqual(2);
    expect(o.reports.at(-1)).toBe(200);
    expect(o.reports).toEqual([...o.reports].sort((a, b) => a - b));
    // Persists written while a pass is under way form the next one.
    for (let seq = 201; seq <= 260; seq++) o.storage.write({ ...persists[seq - 201]!, seq, snapshot: null, truncateFrom: null, entries: [] });
    await o.settled(260);
    expect(o.storage.stats().batches - batches).toBeLessThanOrEqual(2);
    await o.storage.close();
    const again = await Opened.open(dir);
    expect(again.storage.durable.entries).toEqual(images[200]!.entries);
    await again.storage.close();
  });

  it('makes each pass durable in its write: segments are opened with O_DSYNC unless forceSync is off', async () => {
    const opened: { path: string; flags: string | number }[] = [];
    const restore = useFileLayer({
      open: (path, flags) => {
        opened.push({ path, flags });
        return open(path, flags);
      },
    });
    try {
      const { persists } = generate(5, 3, { snapshots: false, restores: false });
      for (const forceSync of [undefined, false]) {
        opened.length = 0;
        const d = await mkdtemp(join(BASE, 'skein-raft-dsync-'));
        const o = await openRaftStorage(d, { log, forceSync, onDurable: () => {}, onFailure: () => {} });
        o.write(persists[0]!);
        await o.close();
        const segments = opened.filter((f) => /raft-log\.[0-9a-f]{16}$/.test(f.path));
        expect(segments).toHaveLength(1);
        const flags = segments[0]!.flags;
        expect(typeof flags).toBe('number');
        expect(((flags as number) & constants.O_DSYNC) !== 0).toBe(forceSync !== false);
        await rm(d, { recursive: true, force: true });
      }
    } finally {
      restore();
    }
  });

  it('starts a pass while earlier ones are on their way to the disk, and reports them durable in order only', async () => {
    const { persists, images } = generate(7, 5, { snapshots: false, restores: false, truncations: false });
    // Hold every write until released, recording where each goes.
    const held: { position: number; release: () => void }[] = [];
    const restore = useFileLayer({
      open: async (path, flags) => {
        const handle = await open(path, flags);
        return new Proxy(handle, {
          get: (target, prop) => {
            if (prop === 'writev') {
              return async (buffers: Buffer[], position: number) => {
                await new Promise<void>((release) => held.push({ position, release }));
                return target.writev(buffers, position);
              };
            }
            const value: unknown = Reflect.get(target, prop, target);
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        });
      },
    });
    const p = await Opened.open(dir);
    // The first pass starts the segment (opened through the layer above; header, zero fill): it runs alone.
    p.storage.write(persists[0]!);
    while (p.acked < 1) {
      for (const h of held.splice(0)) h.release();
      await new Promise((r) => setImmediate(r));
    }
    restore();
    for (const q of persists.slice(1, 4)) {
      p.storage.write(q);
      await new Promise((r) => setImmediate(r));
    }
    // Three passes written at once, at increasing positions, none reported yet.
    while (held.length < 3) await new Promise((r) => setImmediate(r));
    expect(held.map((h) => h.position)).toEqual([...held.map((h) => h.position)].sort((a, b) => a - b));
    expect(p.reports).toEqual([1]);
    // The last one lands first: nothing is reported until the ones before it have landed too.
    held[2]!.release();
    await new Promise((r) => setTimeout(r, 20));
    expect(p.acked).toBe(1);
    held[0]!.release();
    await p.settled(2);
    expect(p.acked).toBe(2);
    held[1]!.release();
    await p.settled(4);
    expect(p.reports).toEqual([1, 2, 3, 4]);
    await p.storage.close();
    const again = await Opened.open(dir);
    expect(again.storage.durable).toEqual(images[4]);
    await again.storage.close();
  });

  it('a pass torn at any record boundary (or inside a record) opens to the state before it or after it, a leader snapshot included', async () => {
    // Run the workload until a leader's snapshot (which replaces the log) has just been written: it
    // starts the last segment, so cuts in that segment tear it and the passes after it.
    const w = new PersistWorkload(5);
    const persists: Persist[] = [];
    const images: DurableState[] = [INITIAL];
    let restoreAt = 0;
    for (let seq = 1; restoreAt === 0 || seq <= restoreAt + 3; seq++) {
      const { persist, expected } = w.next(seq);
      persists.push(persist);
      images.push(expected);
      if (seq > 20 && restoreAt === 0 && persist.snapshot && persist.truncateFrom === persist.snapshot.index + 1) restoreAt = seq;
    }
    // A copy of the directory as it was before the leader's snapshot: once that is durable, the
    // segments it covers are deleted, which a crash during its pass never gets to.
    const before = await mkdtemp(join(BASE, 'skein-raft-before-'));
    const work = await mkdtemp(join(BASE, 'skein-raft-cut-'));
    try {
      const o = await Opened.open(dir);
      await writeEach(o, persists.slice(0, restoreAt - 1));
      await cp(dir, before, { recursive: true });
      await writeEach(o, persists.slice(restoreAt - 1));
      await o.storage.close();

      const files = await readdir(dir);
      const last = segmentsIn(files).at(-1)!;
      expect(segmentsIn(await readdir(before))).not.toContain(last);
      const bytes = await readFile(join(dir, last));
      const scan = scanSegment(bytes, RAFT_LOG_FORMAT, 1 << 20);
      // The pass in force after a cut at c: the last seal ending at or before c, else the one before the snapshot.
      const seals: { end: number; seq: number }[] = [];
      scan.payloads.forEach((p, k) => {
        const rec = decodeStorageRecord(p);
        if (rec.kind === 'seal') seals.push({ end: scan.ends[k]!, seq: rec.seq });
      });
      expect(seals[0]!.seq).toBe(restoreAt);
      const cuts = new Set<number>([0, 4, 8]);
      let start = 8;
      for (const end of scan.ends) {
        // Inside the length, just past the header (CRC but no payload), one byte short, whole.
        for (const c of [start + 1, start + 8, end - 1, end]) cuts.add(c);
        start = end;
      }
      for (const cut of [...cuts].sort((a, b) => a - b)) {
        await rm(work, { recursive: true, force: true });
        await cp(before, work, { recursive: true });
        for (const f of snapshotsIn(files)) await cp(join(dir, f), join(work, f));
        // Half the cuts end the file there, the other half leave zeros after it, as a preallocated file does.
        const torn = cut % 2 === 0 ? bytes.subarray(0, cut) : Buffer.concat([bytes.subarray(0, cut), Buffer.alloc(4096)]);
        await writeFile(join(work, last), torn);
        const inForce = seals.findLast((s) => s.end <= cut)?.seq ?? restoreAt - 1;
        const opened = await Opened.open(work);
        expect(opened.storage.durable, `cut at ${cut}`).toEqual(images[inForce]);
        await opened.storage.close();
      }
    } finally {
      await rm(work, { recursive: true, force: true });
      await rm(before, { recursive: true, force: true });
    }
  });

  it('a truncation stays in force after a restart even when the entries it removed are in an older segment', async () => {
    const e = (index: number, term: number): Entry => ({ index, term, counter: index, data: new Uint8Array([index, term]) });
    const hs = (term: number, commit: number) => ({ term, vote: 1, commit });
    const o = await Opened.open(dir, { segmentBytes: 1 });
    await writeEach(o, [
      { seq: 1, snapshot: null, truncateFrom: 1, entries: [1, 2, 3, 4, 5, 6].map((i) => e(i, 1)), hardState: hs(1, 2) },
      { seq: 2, snapshot: null, truncateFrom: 4, entries: [e(4, 2)], hardState: hs(2, 2) },
      { seq: 3, snapshot: null, truncateFrom: 3, entries: [], hardState: hs(3, 2) },
    ]);
    expect(o.storage.stats().segments).toBe(3);
    await o.storage.close();
    const again = await Opened.open(dir);
    expect(again.storage.durable).toEqual({ hardState: hs(3, 2), snapshot: null, entries: [e(1, 1), e(2, 1)] });
    // Appends continue after the truncation point.
    await writeEach(again, [{ seq: 1, snapshot: null, truncateFrom: 3, entries: [e(3, 3)], hardState: null }]);
    await again.storage.close();
    expect((await Opened.open(dir)).storage.durable.entries).toEqual([e(1, 1), e(2, 1), e(3, 3)]);
  });

  it('deletes the segments and snapshot files a durable snapshot covers, keeping what recovery needs', async () => {
    const { persists, images } = generate(21, 300, { restores: false });
    let o = await Opened.open(dir, { segmentBytes: 1024 });
    for (const p of persists) {
      await writeEach(o, [p]);
      if (!p.snapshot) continue;
      // Deletion follows the snapshot's pass (close waits for it): what is left must still open to
      // everything written.
      await o.storage.close();
      o = await Opened.open(dir, { segmentBytes: 1024 });
      expect(o.storage.durable, `after the snapshot of pass ${p.seq}`).toEqual(images[p.seq]);
    }
    await o.storage.close();
    const files = await readdir(dir);
    expect(snapshotsIn(files)).toHaveLength(1);
    expect(segmentsIn(files).length).toBeLessThan(20);
    const again = await Opened.open(dir);
    expect(again.storage.durable).toEqual(images[300]);
    await again.storage.close();
  });

  describe('with a faulty disk', () => {
    let faults: FaultyFiles;
    let restore: () => void;
    beforeEach(() => {
      faults = new FaultyFiles((path) => path.startsWith(dir));
      restore = useFileLayer(faults);
    });
    afterEach(() => restore());

    it('a full disk at chosen bytes of a pass: reported as DiskFullError, nothing after it durable, reopening gives a state at or after the last acknowledged', async () => {
      const { persists, images } = generate(8, 40);
      // One failing pass carries a snapshot (its file, then a new segment: header, zero fill, records),
      // the other only records in a segment that has room.
      const withSnapshot = persists.findIndex((p, i) => i >= 10 && p.snapshot !== null) + 1;
      const plain = persists.findIndex((p, i) => i >= withSnapshot && p.snapshot === null && p.entries.length > 1) + 1;
      expect(withSnapshot).toBeGreaterThan(10);
      expect(plain).toBeGreaterThan(withSnapshot);
      const snapshotBytes = encodeSnapshotFile(persists[withSnapshot - 1]!.snapshot!).length;
      const records = [0, 1, 7, 8, 9, 15, 16, 40, 100, 180, 333];
      const cases = [
        ...[0, 1, 9, snapshotBytes - 1, snapshotBytes + 4, ...records.map((d) => snapshotBytes + 8 + ZERO_FILL_BYTES + d)].map((room) => ({ failing: withSnapshot, room })),
        ...records.map((room) => ({ failing: plain, room })),
      ];
      let refused = 0;
      for (const { failing, room } of cases) {
        const sub = await mkdtemp(join(dir, 'room-'));
        const o = await Opened.open(sub);
        await writeEach(o, persists.slice(0, failing - 1));
        faults.room = room;
        for (const p of persists.slice(failing - 1)) o.storage.write(p);
        await o.settled(persists.length);
        faults.free();
        if (o.failures.length > 0) {
          refused++;
          expect(o.failures).toHaveLength(1);
          expect(o.failures[0]).toBeInstanceOf(DiskFullError);
          expect(o.acked).toBeLessThan(failing);
        }
        await o.storage.close();
        const again = await Opened.open(sub);
        const found = images.findIndex((img, k) => k >= o.acked && JSON.stringify(img) === JSON.stringify(again.storage.durable));
        expect(found, `pass ${failing}, room ${room}: opened to none of the states at or after ${o.acked}`).toBeGreaterThanOrEqual(o.acked);
        // The directory takes writes again once there is room.
        again.storage.write({ seq: 1, snapshot: null, truncateFrom: null, entries: [], hardState: { term: 99, vote: 1, commit: 0 } });
        await again.settled(1);
        expect(again.failures).toEqual([]);
        await again.storage.close();
      }
      expect(refused).toBe(cases.length);
    });

    it('a failing device is reported once; nothing more is reported durable', async () => {
      const { persists } = generate(9, 20);
      const o = await Opened.open(dir);
      await writeEach(o, persists.slice(0, 5));
      faults.failWith = errnoError('EIO');
      for (const p of persists.slice(5)) o.storage.write(p);
      await o.settled(20);
      expect(o.failures).toHaveLength(1);
      expect((o.failures[0] as NodeJS.ErrnoException).code).toBe('EIO');
      expect(o.acked).toBe(5);
      // Later writes are dropped without another report.
      o.storage.write({ ...persists[0]!, seq: 21 });
      await new Promise((resolve) => setImmediate(resolve));
      expect(o.failures).toHaveLength(1);
      faults.failWith = undefined;
      await o.storage.close();
    });

    it('short writes are completed, not acknowledged half-written', async () => {
      const { persists, images } = generate(10, 30);
      faults.halveWrites = true;
      const o = await Opened.open(dir);
      await writeEach(o, persists);
      expect(faults.shortWrites).toBeGreaterThan(0);
      expect(o.failures).toEqual([]);
      await o.storage.close();
      faults.halveWrites = false;
      expect((await Opened.open(dir)).storage.durable).toEqual(images[30]);
    });
  });

  it('refuses a record above recordBytesMax instead of writing what recovery would refuse', async () => {
    const o = await Opened.open(dir, { recordBytesMax: 100 });
    const big: Entry = { index: 1, term: 1, counter: 1, data: new Uint8Array(200) };
    o.storage.write({ seq: 1, snapshot: null, truncateFrom: 1, entries: [big], hardState: null });
    await o.settled(1);
    expect(o.failures[0]).toBeInstanceOf(RaftStorageLimitError);
    expect(o.acked).toBe(0);
    await o.storage.close();
    expect((await Opened.open(dir)).storage.durable).toEqual(INITIAL);
  });

  describe('refuses damage that is not a torn tail', () => {
    async function writeSegments(): Promise<string[]> {
      const { persists } = generate(12, 40, { snapshots: false, restores: false });
      const o = await Opened.open(dir, { segmentBytes: 200 });
      await writeEach(o, persists);
      await o.storage.close();
      return segmentsIn(await readdir(dir));
    }

    it('a damaged record before the last segment', async () => {
      const segments = await writeSegments();
      const path = join(dir, segments[1]!);
      const bytes = await readFile(path);
      bytes[20] = bytes[20]! ^ 0xff;
      await writeFile(path, bytes);
      await expect(Opened.open(dir)).rejects.toThrow(RaftRecoveryError);
    });

    it('a missing middle segment whose entries no snapshot covers', async () => {
      const segments = await writeSegments();
      expect(segments.length).toBeGreaterThan(3);
      await rm(join(dir, segments[2]!));
      await expect(Opened.open(dir)).rejects.toThrow(/missing/);
    });

    it('a snapshot the log puts in force whose file is gone or damaged', async () => {
      const { persists } = generate(13, 60, { restores: false });
      const o = await Opened.open(dir);
      await writeEach(o, persists);
      await o.storage.close();
      const [snap] = snapshotsIn(await readdir(dir));
      const bytes = await readFile(join(dir, snap!));
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
      await writeFile(join(dir, snap!), bytes);
      await expect(Opened.open(dir)).rejects.toThrow(/damaged/);
      await rm(join(dir, snap!));
      await expect(Opened.open(dir)).rejects.toThrow(/missing/);
    });
  });

  it('the in-memory storage of tests follows the same rules: group commit, crash drops what was not durable', async () => {
    const { persists, images } = generate(14, 50);
    const disk = new MemoryDisk();
    let acked = 0;
    const s = disk.open({ onDurable: (seq) => (acked = seq), onFailure: () => undefined });
    for (const p of persists.slice(0, 40)) s.write(p);
    await new Promise((resolve) => setImmediate(resolve));
    expect(acked).toBe(40);
    expect(s.stats().batches).toBe(1);
    for (const p of persists.slice(40)) s.write(p);
    s.crash();
    await new Promise((resolve) => setImmediate(resolve));
    expect(acked).toBe(40);
    expect(disk.open({ onDurable: () => undefined, onFailure: () => undefined }).durable).toEqual(images[40]);
  });
});
