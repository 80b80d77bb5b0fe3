// The log cleaner on real partition logs: per key only the latest record survives, at its own offset;
// tombstones go after delete.retention.ms; reads, fetches and timestamp lookups find their way over the
// gaps; a compacted log reopens (cleanly or after a crash) as it was; appends go on during a cleaning;
// a small offset map cleans over several rounds; cleanup.policy decides between retention and compaction.
import { cp, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DELETE_HORIZON_BIT } from '../../../protocol/kafka/records/batch-header.js';
import { buildEndTxnMarkerBatch, ControlRecordType } from '../../../protocol/kafka/records/control-record.js';
import { planCleaning } from '../../../src/log/cleaner/cleanable.js';
import { DEFAULT_CLEANER_CONFIG } from '../../../src/log/cleaner/cleaner-config.js';
import { CleaningAbortedError, cleanLog } from '../../../src/log/cleaner/cleaner.js';
import { Throttler } from '../../../src/log/cleaner/throttler.js';
import { PolicyViolationError } from '../../../src/log/errors.js';
import { appendKVs, cleanerFor, COMPACT, kvBatch, readBatches, readRecords, type KV } from './cleaner-fixture.js';
import { openLog, T0, tempDir } from './fixture.js';

/** What compaction up to `cleanEnd` must leave of records appended from offset 0: [offset, key, value]. */
function expectedAfter(records: readonly KV[], cleanEnd: number): [number, string | null, string | null][] {
  const last = new Map<string, number>();
  records.forEach(([k], i) => {
    if (i < cleanEnd && k !== null) last.set(k, i);
  });
  const out: [number, string | null, string | null][] = [];
  records.forEach(([k, v], i) => {
    if (i >= cleanEnd || (k !== null && last.get(k) === i)) out.push([i, k, v]);
  });
  return out;
}

const triples = (rs: { offset: number; key: string | null; value: string | null }[]): [number, string | null, string | null][] =>
  rs.map((r) => [r.offset, r.key, r.value]);

/** `n` records over `keys` keys in a scrambled order, values naming their round and index. */
function scrambled(n: number, keys: number, round = 0): KV[] {
  return Array.from({ length: n }, (_, i) => [`key-${(i * 7 + round) % keys}`, `r${round}-v${i}`]);
}

/** A compacted log holding `scrambled(n, keys)`, fsynced; the active segment's base is what a cleaning reaches. */
async function filled(n: number, keys: number) {
  const dir = await tempDir();
  const log = await openLog(dir, COMPACT);
  const recs = scrambled(n, keys);
  appendKVs(log, recs);
  await log.flush();
  return { dir, log, recs, activeBase: log.segmentBaseOffsets().at(-1)! };
}

describe('compaction', () => {
  it('keeps only the latest record of each key across many segments, each at its own offset', async () => {
    const { log, recs, activeBase } = await filled(400, 23);
    expect(log.segmentCount).toBeGreaterThan(10);
    const sizeBefore = log.sizeBytes;
    const cleaner = cleanerFor([log]);
    const pass = await cleaner.runPass(T0);
    expect(pass).toMatchObject({ name: 't-0', stats: { firstDirtyOffset: 0, endOffset: activeBase, keysMapped: 23, keylessRecords: 0 } });
    expect(triples(await readRecords(log))).toEqual(expectedAfter(recs, activeBase));
    expect(log.sizeBytes).toBeLessThan(sizeBefore / 4);
    expect([log.logStartOffset, log.logEndOffset, log.firstDirtyOffset]).toEqual([0, 400, activeBase]);
    // Nothing dirty is left but the active segment: no pass.
    expect(await cleaner.runPass(T0)).toBeUndefined();

    // A second round over more of the same keys also merges the small cleaned segments.
    const more = scrambled(400, 23, 1);
    appendKVs(log, more);
    await log.flush();
    const firstRoundSegments = (): number => log.segmentBaseOffsets().filter((b) => b < activeBase).length;
    const before = firstRoundSegments();
    const activeBase2 = log.segmentBaseOffsets().at(-1)!;
    const second = await cleaner.runPass(T0);
    expect(second?.stats).toMatchObject({ firstDirtyOffset: activeBase, endOffset: activeBase2 });
    expect(triples(await readRecords(log))).toEqual(expectedAfter([...recs, ...more], activeBase2));
    expect(firstRoundSegments()).toBeLessThan(before / 3);
    expect(log.segmentBaseOffsets()[0]).toBe(0);
  });

  it('keeps each batch at its offsets; a read at a compacted offset returns the next batch, timestamp lookups the next record', async () => {
    const log = await openLog(await tempDir(), COMPACT);
    // 40 batches of 5 records over 13 keys, record timestamps T0 + offset.
    const recs: KV[] = [];
    for (let b = 0; b < 40; b++) {
      const batch: KV[] = Array.from({ length: 5 }, (_, j) => [`k${(b * 5 + j * 3) % 13}`, `v${b * 5 + j}`, T0 + b * 5 + j]);
      recs.push(...batch);
      log.append(kvBatch(batch), T0);
    }
    await log.flush();
    const activeBase = log.segmentBaseOffsets().at(-1)!;
    await cleanerFor([log]).runPass(T0);
    const batches = await readBatches(log);
    for (const b of batches) {
      expect(b.header.baseOffset % 5).toBe(0);
      expect(b.header.lastOffsetDelta).toBe(4);
      expect(b.header.recordCount).toBe(b.records.length);
    }
    expect(triples(batches.flatMap((b) => b.records))).toEqual(expectedAfter(recs, activeBase));
    const survivors = batches.map((b) => b.header.baseOffset);
    expect(survivors.length).toBeLessThan(40);
    const kept = new Set(batches.flatMap((b) => b.records.map((r) => r.offset)));
    for (let offset = 0; offset < log.logEndOffset; offset++) {
      const r = await log.read(offset, 1);
      const wantBase = survivors.find((base) => base + 4 >= offset)!;
      expect(r.firstOffset).toBe(wantBase);
      expect(r.nextOffset).toBe(wantBase + 5);
      const found = await log.offsetForTimestamp(T0 + offset);
      const next = [...kept].filter((o) => o >= offset).sort((a, b) => a - b)[0];
      expect(found?.offset).toBe(next);
    }
    expect(await log.maxTimestampOffset()).toMatchObject({ offset: 199, timestamp: T0 + 199 });
  });

  it('removes a deleted key at once, and its tombstone once delete.retention.ms has passed since the cleaning that kept it', async () => {
    const log = await openLog(await tempDir(), { ...COMPACT, deleteRetentionMs: 1000 });
    const cleaner = cleanerFor([log]);
    const filler = (tag: string, n: number): KV[] => Array.from({ length: n }, (_, i) => [`fill-${tag}-${i}`, 'x'.repeat(60)]);
    appendKVs(log, [['a', 'a1'], ['b', 'b1'], ['a', null, T0 + 5], ['c', 'c1'], ...filler('1', 20)]);
    await log.flush();
    await cleaner.runPass(T0 + 10_000);
    let records = await readRecords(log);
    expect(records.filter((r) => r.key !== null && !r.key.startsWith('fill')).map((r) => [r.offset, r.key, r.value])).toEqual([
      [1, 'b', 'b1'],
      [2, 'a', null],
      [3, 'c', 'c1'],
    ]);
    // The tombstone's batch carries its horizon; the tombstone keeps its own timestamp.
    const tombstoneBatch = (await readBatches(log)).find((b) => b.header.baseOffset === 2)!;
    expect(tombstoneBatch.header.attributes & DELETE_HORIZON_BIT).toBe(DELETE_HORIZON_BIT);
    expect(tombstoneBatch.header.baseTimestamp).toBe(T0 + 11_000);
    expect(tombstoneBatch.records[0]!.timestamp).toBe(T0 + 5);

    appendKVs(log, filler('2', 20));
    await log.flush();
    await cleaner.runPass(T0 + 10_999);
    expect((await readRecords(log)).some((r) => r.key === 'a')).toBe(true);

    appendKVs(log, filler('3', 20));
    await log.flush();
    await cleaner.runPass(T0 + 11_000);
    records = await readRecords(log);
    expect(records.some((r) => r.key === 'a')).toBe(false);
    expect(records.filter((r) => r.key === 'b' || r.key === 'c').map((r) => r.offset)).toEqual([1, 3]);
    expect(log.logStartOffset).toBe(0);
    // A fetch from the start lands on the first batch left.
    expect((await log.read(0, 1)).firstOffset).toBe(1);
  });

  it('stops at an open transaction, drops aborted transactions and compacts committed ones', async () => {
    const log = await openLog(await tempDir(), COMPACT);
    const marker = (producerId: number, type: ControlRecordType) => buildEndTxnMarkerBatch({ type, coordinatorEpoch: 0, producerId, producerEpoch: 0, timestamp: T0 });
    const filler = (prefix: string): KV[] => Array.from({ length: 20 }, (_, i): KV => [`${prefix}${i}`, 'y'.repeat(60)]);
    appendKVs(log, [['a', 'plain-1'], ['b', 'plain-1']]);
    log.append(kvBatch([['a', 'aborted']], { transactional: true, producerId: 7, producerEpoch: 0, baseSequence: 0 }), T0);
    log.append(kvBatch([['b', 'committed']], { transactional: true, producerId: 8, producerEpoch: 0, baseSequence: 0 }), T0);
    appendKVs(log, filler('f'));
    await log.flush();
    // Both transactions are open: the last stable offset (2) bounds the cleaning.
    expect(log.lastStableOffset).toBe(2);
    await cleanerFor([log]).runPass(T0);
    expect((await readRecords(log)).filter((r) => r.key === 'a' || r.key === 'b').map((r) => r.value)).toEqual(['plain-1', 'plain-1', 'aborted', 'committed']);
    log.append(marker(7, ControlRecordType.Abort), T0);
    log.append(marker(8, ControlRecordType.Commit), T0);
    appendKVs(log, filler('g'));
    await log.flush();
    await cleanerFor([log]).runPass(T0);
    // The aborted record is gone and made nothing obsolete; the committed one replaced b's older value.
    expect((await readRecords(log)).filter((r) => r.key === 'a' || r.key === 'b').map((r) => [r.key, r.value])).toEqual([
      ['a', 'plain-1'],
      ['b', 'committed'],
    ]);
  });

  it('removes records without a key and keeps control batches', async () => {
    const log = await openLog(await tempDir(), COMPACT);
    appendKVs(log, [['a', 'a1'], [null, 'keyless']]);
    const marker = buildEndTxnMarkerBatch({ type: ControlRecordType.Commit, coordinatorEpoch: 3, producerId: 9, producerEpoch: 0, timestamp: T0 });
    log.append(marker, T0);
    appendKVs(log, [['a', 'a2'], ...Array.from({ length: 20 }, (_, i): KV => [`f${i}`, 'y'.repeat(60)])]);
    await log.flush();
    const pass = await cleanerFor([log]).runPass(T0);
    expect(pass?.stats?.keylessRecords).toBe(1);
    const batches = await readBatches(log);
    expect(batches.slice(0, 2).map((b) => [b.header.baseOffset, b.records.length])).toEqual([
      [2, 1],
      [3, 1],
    ]);
    // The marker batch, byte for byte (same CRC over the same attributes and records).
    expect(batches[0]!.header.crc).toBe(marker.readUInt32BE(17));
    expect(batches[1]!.records[0]!.value).toBe('a2');
  });
});

describe('reopening a compacted log', () => {
  async function compacted() {
    const { dir, log } = await filled(300, 17);
    await cleanerFor([log]).runPass(T0);
    const records = triples(await readRecords(log));
    return { dir, log, records };
  }

  it('reads the same after a clean close, and appends continue at the log end', async () => {
    const { dir, log, records } = await compacted();
    await log.close();
    const again = await openLog(dir, COMPACT);
    expect(again.recoveredSegments).toBe(0);
    expect(triples(await readRecords(again))).toEqual(records);
    expect(again.firstDirtyOffset).toBe(log.firstDirtyOffset);
    expect(again.append(kvBatch([['z', 'z']]), T0).baseOffset).toBe(300);
    expect(await cleanerFor([again]).runPass(T0)).toBeUndefined();
  });

  it('reads the same after a crash, without a checkpoint, and with every index lost', async () => {
    const { dir, records } = await compacted();
    const variants: [string, (d: string) => Promise<void>][] = [
      ['crash', async () => {}],
      ['no checkpoint', async (d) => {
        const { rm } = await import('node:fs/promises');
        await rm(`${d}/partition.checkpoint`);
      }],
      ['no indexes', async (d) => {
        const { rm } = await import('node:fs/promises');
        for (const n of await readdir(d)) if (n.endsWith('index')) await rm(`${d}/${n}`);
      }],
    ];
    for (const [, spoil] of variants) {
      // Copied while open: the checkpoint says "not closed", as after a crash.
      const copy = await tempDir();
      await cp(dir, copy, { recursive: true });
      await spoil(copy);
      const reopened = await openLog(copy, COMPACT);
      expect(triples(await readRecords(reopened))).toEqual(records);
      expect(reopened.logEndOffset).toBe(300);
      expect(reopened.append(kvBatch([['z', 'z']]), T0).baseOffset).toBe(300);
      await reopened.close();
    }
  });

  it('still cuts a torn or corrupt tail of the active segment at its last intact batch', async () => {
    const { dir, log, records } = await compacted();
    const { readFile, writeFile, truncate } = await import('node:fs/promises');
    appendKVs(log, [['t1', 'one'], ['t2', 'two']]);
    await log.flush();
    const active = `${dir}/${String(log.segmentBaseOffsets().at(-1)).padStart(20, '0')}.log`;
    const size = (await readFile(active)).length;
    const lastBatch = kvBatch([['t2', 'two']]).length;
    const cases: [string, (file: string) => Promise<void>][] = [
      ['torn', (f) => truncate(f, size - 3)],
      [
        'wrong base offset',
        async (f) => {
          const bytes = await readFile(f);
          // The base offset lies outside the CRC: only the offset check can tell.
          bytes.writeUInt32BE(0x7fff, size - lastBatch + 4);
          await writeFile(f, bytes);
        },
      ],
    ];
    for (const [, spoil] of cases) {
      const copy = await tempDir();
      await cp(dir, copy, { recursive: true });
      await spoil(`${copy}/${active.slice(dir.length + 1)}`);
      const reopened = await openLog(copy, COMPACT);
      expect(reopened.logEndOffset).toBe(301);
      expect(triples(await readRecords(reopened))).toEqual([...records, [300, 't1', 'one']]);
      await reopened.close();
    }
  });

  it('keeps the log end across a crash after a truncation into a compacted gap', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, COMPACT);
    // Keys repeat only inside the first 100 offsets, so the tail of the first segments is compacted away.
    const recs: KV[] = Array.from({ length: 100 }, (_, i) => [`k${i % 3}`, `v${i}`]);
    appendKVs(log, recs);
    appendKVs(log, Array.from({ length: 60 }, (_, i): KV => [`u${i}`, 'w'.repeat(40)]));
    await log.flush();
    await cleanerFor([log]).runPass(T0);
    const survivors = (await readRecords(log)).map((r) => r.offset);
    // Offset 50 was compacted away (only 97..99 of k0..k2 are left below 100).
    expect(survivors.includes(50)).toBe(false);
    await log.truncateTo(50);
    expect(log.logEndOffset).toBe(50);
    const truncated = await tempDir();
    await cp(dir, truncated, { recursive: true });
    const reopened = await openLog(truncated, COMPACT);
    expect(reopened.logEndOffset).toBe(50);
    expect(reopened.append(kvBatch([['n', 'n']]), T0).baseOffset).toBe(50);
    await reopened.close();
    expect(log.append(kvBatch([['n', 'n']]), T0).baseOffset).toBe(50);
    await log.flush();
    const appended = await tempDir();
    await cp(dir, appended, { recursive: true });
    const again = await openLog(appended, COMPACT);
    expect(again.logEndOffset).toBe(51);
    expect(triples(await readRecords(again)).at(-1)).toEqual([50, 'n', 'n']);
  });
});

describe('cleaning beside other work', () => {
  it('lets appends and reads go on during a cleaning', async () => {
    const { log, recs, activeBase } = await filled(300, 11);
    // Small I/O windows: the cleaning yields many times.
    const pass = cleanerFor([log], { ioBufferBytes: 256 }).runPass(T0);
    const later: KV[] = [];
    let settled = false;
    let duringCleaning = 0;
    void pass.finally(() => (settled = true));
    for (let i = 0; i < 60; i++) {
      const kv: KV = [`late-${i % 20}`, `x${i}`];
      later.push(kv);
      appendKVs(log, [kv]);
      await log.read(i * 3, 100);
      if (!settled) duringCleaning++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await pass)?.stats).toBeDefined();
    expect(duringCleaning).toBeGreaterThan(10);
    expect(triples(await readRecords(log))).toEqual(expectedAfter([...recs, ...later], activeBase));
  });

  it('cleans a dirty section larger than its offset map over several rounds', async () => {
    const { log, recs, activeBase } = await filled(300, 40);
    // 25 slots: 22 keys a round.
    const cleaner = cleanerFor([log], { dedupeBufferBytes: 25 * 40 });
    const ends: number[] = [];
    for (let pass = await cleaner.runPass(T0); pass; pass = await cleaner.runPass(T0)) {
      expect(pass.stats!.keysMapped).toBeLessThanOrEqual(22);
      ends.push(pass.stats!.endOffset);
    }
    expect(ends.length).toBeGreaterThan(3);
    expect(ends.at(-1)).toBe(activeBase);
    for (let i = 1; i < ends.length; i++) expect(ends[i]).toBeGreaterThan(ends[i - 1]!);
    const left = triples(await readRecords(log));
    // Every key's latest record is there; older ones may survive only where a round's map ended.
    const want = expectedAfter(recs, activeBase);
    for (const w of want) expect(left).toContainEqual(w);
    const keysBelow = new Map<string, number>();
    for (const [offset, key] of left) if (offset < activeBase) keysBelow.set(key as string, (keysBelow.get(key as string) ?? 0) + 1);
    expect(Math.max(...keysBelow.values())).toBeLessThanOrEqual(ends.length);
  });

  it('gives up a round when the log was truncated after it was planned, leaving no cleaned files', async () => {
    const { dir, log } = await filled(200, 7);
    const view = log.cleanerView();
    const plan = planCleaning(view, T0);
    await log.truncateTo(150);
    const before = triples(await readRecords(log));
    const run = { config: DEFAULT_CLEANER_CONFIG, throttler: new Throttler(Number.MAX_VALUE, () => T0, async () => {}), now: T0, checkDone: () => {} };
    await expect(cleanLog(log, view, plan, run)).rejects.toThrow(CleaningAbortedError);
    expect(triples(await readRecords(log))).toEqual(before);
    expect((await readdir(dir)).filter((n) => !/^\d{20}\.(log|index|timeindex)$/.test(n))).toEqual(['leader-epoch-checkpoint', 'partition.checkpoint']);
    // The next pass plans again and cleans.
    expect((await cleanerFor([log]).runPass(T0))?.stats).toBeDefined();
  });
});

describe('cleanup.policy', () => {
  const old = T0 - 10 * 86_400_000;

  it('compact alone: retention deletes nothing and DeleteRecords is refused with POLICY_VIOLATION', async () => {
    const log = await openLog(await tempDir(), { ...COMPACT, retentionMs: 1000, retentionBytes: 100 });
    appendKVs(log, Array.from({ length: 50 }, (_, i): KV => [`k${i}`, 'v', old]));
    await log.flush();
    expect(await log.applyRetention(T0)).toBe(0);
    const err = await log.deleteRecordsBefore(10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyViolationError);
    expect((err as PolicyViolationError).errorCode).toBe(44);
    expect(log.logStartOffset).toBe(0);
  });

  it('compact,delete: retention deletes old segments and the cleaner compacts the rest', async () => {
    const log = await openLog(await tempDir(), { ...COMPACT, delete: true, retentionMs: 86_400_000 });
    appendKVs(log, Array.from({ length: 60 }, (_, i): KV => [`k${i % 5}`, `old${i}`, old]));
    appendKVs(log, Array.from({ length: 60 }, (_, i): KV => [`k${i % 5}`, `new${i}`, T0]));
    await log.flush();
    expect(await log.applyRetention(T0)).toBeGreaterThan(0);
    expect(log.logStartOffset).toBeGreaterThan(0);
    await cleanerFor([log]).runPass(T0);
    const records = await readRecords(log);
    expect(records.every((r) => r.value!.startsWith('new'))).toBe(true);
    expect(new Set(records.map((r) => r.key)).size).toBe(5);
  });

  it('rolls the active segment of a compacted log after max.compaction.lag.ms, so it can be cleaned', async () => {
    const log = await openLog(await tempDir(), { ...COMPACT, segmentBytes: 1 << 20, maxCompactionLagMs: 1000 });
    appendKVs(log, [['a', '1', T0]]);
    appendKVs(log, [['a', '2', T0 + 500]]);
    expect(log.segmentCount).toBe(1);
    appendKVs(log, [['a', '3', T0 + 1001]]);
    expect(log.segmentCount).toBe(2);
    await log.flush();
    expect((await cleanerFor([log]).runPass(T0 + 2000))?.stats?.recordsKept).toBe(1);
    expect(triples(await readRecords(log))).toEqual([
      [1, 'a', '2'],
      [2, 'a', '3'],
    ]);
  });
});
