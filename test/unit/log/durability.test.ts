// Batched writes, group commit and Kafka's flush policy. Counts of writes and fsync passes, never timings.
import { describe, expect, it, vi } from 'vitest';
import { makeBatch } from './batches.js';
import { appendEach, openLog, readAll, T0, tempDir } from './fixture.js';

const values = (n: number): string[] => Array.from({ length: n }, (_, i) => `v${i}`);

describe('batched writes and group commit', () => {
  it('writes everything appended in one tick with one writev, and one fsync pass settles every waiter', async () => {
    const log = await openLog(await tempDir());
    const offsets = appendEach(log, values(1000));
    await Promise.all(offsets.map((o) => log.waitDurable(o)));
    expect(log.ioStats).toEqual({ logWrites: 1, syncPasses: 1 });
    expect(log.recoveryPoint).toBe(1000);
  });

  it('coalesces appends made while a write or fsync is in flight', async () => {
    const log = await openLog(await tempDir());
    const acks: Promise<void>[] = [];
    for (let round = 0; round < 20; round++) {
      const [o] = appendEach(log, [`r${round}`]);
      acks.push(log.waitDurable(o!));
      if (round % 5 === 4) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(acks);
    const { logWrites, syncPasses } = log.ioStats;
    expect(logWrites).toBeLessThanOrEqual(4);
    expect(syncPasses).toBeLessThanOrEqual(logWrites);
    expect((await readAll(log)).map((r) => r.value)).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
  });

  it('acks=1 waits only for the write, without any fsync', async () => {
    const log = await openLog(await tempDir());
    appendEach(log, values(10));
    await log.waitWritten(9);
    expect(log.ioStats.syncPasses).toBe(0);
    expect(log.recoveryPoint).toBe(0);
  });
});

describe('flush policy', () => {
  it('flush.messages fsyncs once that many records are unflushed', async () => {
    const log = await openLog(await tempDir(), { flushMessages: 10 });
    appendEach(log, values(9));
    await log.waitWritten(8);
    expect(log.ioStats.syncPasses).toBe(0);
    appendEach(log, ['tenth']);
    await vi.waitFor(() => expect(log.recoveryPoint).toBe(10));
  });

  it('flush.ms fsyncs data older than the topic allows when checked', async () => {
    let now = T0;
    const log = await openLog(await tempDir(), { flushMs: 1000 }, { clock: () => now });
    appendEach(log, values(3));
    await log.waitWritten(2);
    log.flushIfDue(now + 999);
    expect(log.ioStats.syncPasses).toBe(0);
    now += 1000;
    log.flushIfDue(now);
    await vi.waitFor(() => expect(log.recoveryPoint).toBe(3));
  });

  it('a roll fsyncs the finished segment, so recovery need not rescan it', async () => {
    const log = await openLog(await tempDir(), { segmentBytes: 300 });
    appendEach(log, ['a'.repeat(150), 'b'.repeat(150)]);
    expect(log.segmentCount).toBe(2);
    await vi.waitFor(() => expect(log.recoveryPoint).toBeGreaterThanOrEqual(1));
  });
});

describe('reads racing structural changes', () => {
  it('returns correct data or a clean out-of-range error while retention deletes segments', async () => {
    const log = await openLog(await tempDir(), { segmentBytes: 400, retentionMs: 1 }, { tailCacheBytes: 0 });
    for (let i = 0; i < 60; i++) log.append(makeBatch([{ value: `x${i}`.padEnd(90, '.'), timestamp: T0 + i }]), T0);
    await log.waitWritten(59);
    const reads = Array.from({ length: 60 }, (_, i) =>
      log.read(i, 1 << 20).then(
        (r) => ({ i, ok: r }),
        (err: unknown) => ({ i, err }),
      ),
    );
    const retention = log.applyRetention(T0 + 10_000);
    const outcomes = await Promise.all(reads);
    await retention;
    for (const o of outcomes) {
      if ('err' in o) {
        expect(o.err).toMatchObject({ side: 'below-start' });
      } else {
        expect(o.ok.firstOffset).toBe(o.i);
      }
    }
  });
});
