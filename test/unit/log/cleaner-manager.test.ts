// The cleaner run by the LogManager: on its own timer for compacted topics only, dirtiest log first, a
// log whose cleaning fails set aside while the others go on, and a close that stops a cleaning.
import { afterEach, describe, expect, it } from 'vitest';
import { CRC_AT, computeBatchCrc } from '../../../protocol/kafka/records/batch-header.js';
import { DEFAULT_CLEANER_CONFIG, type CleanerConfig } from '../../../src/log/cleaner/cleaner-config.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../../src/log/log-config.js';
import { LogManager } from '../../../src/log/log-manager.js';
import { appendKVs, COMPACT, kvBatch, readRecords, type KV } from './cleaner-fixture.js';
import { silent, T0, tempDir } from './fixture.js';

const managers: LogManager[] = [];
afterEach(() => Promise.all(managers.splice(0).map((m) => m.close())));

async function manager(dir: string, cleaner: Partial<CleanerConfig> = {}, scheduleTasks = false): Promise<LogManager> {
  const m = await LogManager.open({
    dirs: [dir],
    configFor: (topic): LogConfig => ({ ...DEFAULT_LOG_CONFIG, segmentBytes: 1024, ...(topic.startsWith('compacted') ? COMPACT : {}) }),
    logger: silent,
    scheduleTasks,
    cleaner: { ...DEFAULT_CLEANER_CONFIG, ...cleaner },
  });
  managers.push(m);
  return m;
}

const repeats = (n: number, keys: number): KV[] => Array.from({ length: n }, (_, i) => [`k${i % keys}`, `v${i}`]);

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the LogManager cleaner', () => {
  it('cleans compacted logs on its own every log.cleaner.backoff.ms, and leaves other logs alone', async () => {
    const m = await manager(await tempDir(), { backoffMs: 20 }, true);
    const compacted = await m.create('compacted', 0);
    const plain = await m.create('plain', 0);
    appendKVs(compacted, repeats(100, 3));
    appendKVs(plain, repeats(100, 3));
    await Promise.all([compacted.flush(), plain.flush()]);
    await until(() => compacted.firstDirtyOffset > 0);
    expect((await readRecords(compacted)).length).toBeLessThan(30);
    expect((await readRecords(plain)).length).toBe(100);
    // New dirty data is picked up by a later pass.
    const first = compacted.firstDirtyOffset;
    appendKVs(compacted, repeats(100, 3));
    await compacted.flush();
    await until(() => compacted.firstDirtyOffset > first);
    await m.close();
  });

  it('does nothing on its own with log.cleaner.enable=false', async () => {
    const m = await manager(await tempDir(), { backoffMs: 10, enable: false }, true);
    const log = await m.create('compacted', 0);
    appendKVs(log, repeats(100, 3));
    await log.flush();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(log.firstDirtyOffset).toBe(0);
    expect((await readRecords(log)).length).toBe(100);
  });

  it('cleans the dirtiest log first', async () => {
    const m = await manager(await tempDir());
    const a = await m.create('compacted-a', 0);
    const b = await m.create('compacted-b', 0);
    appendKVs(a, repeats(100, 3));
    appendKVs(b, repeats(100, 3));
    await Promise.all([a.flush(), b.flush()]);
    expect((await m.runCleaner(T0))?.name).toBe('compacted-a-0');
    // b is all dirty; a now has only its newest segment dirty.
    appendKVs(a, repeats(30, 3));
    await a.flush();
    expect((await m.runCleaner(T0))?.name).toBe('compacted-b-0');
    expect((await m.runCleaner(T0))?.name).toBe('compacted-a-0');
    expect(await m.runCleaner(T0)).toBeUndefined();
  });

  it('sets aside a log whose records do not decode, and goes on with the others', async () => {
    const m = await manager(await tempDir());
    const bad = await m.create('compacted-bad', 0);
    const good = await m.create('compacted-good', 0);
    // A batch whose CRC holds but whose records are garbage.
    const broken = kvBatch([['k', 'value-that-will-be-garbage']]);
    broken.fill(0xee, 61 + 2);
    broken.writeUInt32BE(computeBatchCrc(broken, 0, broken.length), CRC_AT);
    bad.append(broken, T0);
    appendKVs(bad, repeats(100, 3));
    appendKVs(good, repeats(60, 3));
    await Promise.all([bad.flush(), good.flush()]);
    const first = await m.runCleaner(T0);
    expect(first).toEqual({ name: 'compacted-bad-0', stats: undefined });
    expect(m.uncleanablePartitions).toEqual(['compacted-bad-0']);
    expect((await m.runCleaner(T0))?.name).toBe('compacted-good-0');
    expect(await m.runCleaner(T0)).toBeUndefined();
    // Nothing of the bad log was lost.
    expect(bad.logEndOffset).toBe(101);
    expect((await bad.read(1, 1 << 20)).chunks.length).toBeGreaterThan(0);
  });

  it('closes while a cleaning runs, the log intact and clean on reopen', async () => {
    const dir = await tempDir();
    const m = await manager(dir, { ioBufferBytes: 64 });
    const log = await m.create('compacted', 0);
    const recs = repeats(300, 7);
    appendKVs(log, recs);
    await log.flush();
    const pass = m.runCleaner(T0);
    await new Promise((resolve) => setImmediate(resolve));
    await m.close();
    await pass;
    const again = await manager(dir);
    const reopened = again.get('compacted', 0)!;
    expect(reopened.recoveredSegments).toBe(0);
    const records = await readRecords(reopened);
    // Whatever was swapped in before the close: every key's latest value is there.
    const latest = new Map(recs.map(([k, v]) => [k, v]));
    for (const [k, v] of latest) expect(records.some((r) => r.key === k && r.value === v)).toBe(true);
    expect(reopened.logEndOffset).toBe(300);
  });
});
