// Planning a cleaning (Kafka's LogCleanerManager rules) on segment descriptions alone: the dirty section,
// what bounds it, the dirty ratio and compaction lags, and grouping segments into cleaned ones.
import { describe, expect, it } from 'vitest';
import { planCleaning, segmentsIn, worthCleaning, type LogState, type SegmentInfo } from '../../../src/log/cleaner/cleanable.js';
import { groupSegments } from '../../../src/log/cleaner/cleaner.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../../src/log/log-config.js';

const NOW = 1_700_000_000_000;

/** Segments based every 10 offsets, `size` bytes each, timestamps `age` ms before NOW (oldest first). */
function segs(n: number, size = 100, age = (i: number) => 1_000_000 - i * 1000): SegmentInfo[] {
  return Array.from({ length: n }, (_, i) => ({ baseOffset: i * 10, size, largestTimestamp: NOW - age(i), rollingTimestamp: NOW - age(i) - 500 }));
}

function state(segments: SegmentInfo[], over: Partial<LogState> = {}, cfg: Partial<LogConfig> = {}): LogState {
  const end = segments.at(-1)!.baseOffset + 5;
  return { segments, config: { ...DEFAULT_LOG_CONFIG, compact: true, ...cfg }, logStartOffset: 0, logEndOffset: end, firstDirtyOffset: 0, cleanableEnd: end, ...over };
}

describe('segmentsIn (Kafka logSegments)', () => {
  const s = segs(5);
  it('starts at the segment holding `from` and stops before `to`', () => {
    expect(segmentsIn(s, 15, 40).map((x) => x.baseOffset)).toEqual([10, 20, 30]);
    expect(segmentsIn(s, -1, 20).map((x) => x.baseOffset)).toEqual([0, 10]);
    expect(segmentsIn(s, 20, 20)).toEqual([]);
    expect(segmentsIn(s, 45, 100).map((x) => x.baseOffset)).toEqual([40]);
  });
});

describe('planCleaning', () => {
  it('covers every non-active segment of a never cleaned log, all of it dirty', () => {
    const plan = planCleaning(state(segs(5)), NOW);
    expect(plan).toMatchObject({ firstDirtyOffset: 0, firstUncleanableOffset: 40, cleanBytes: 0, cleanableBytes: 400, cleanableRatio: 1, needCompactionNow: false });
    expect(worthCleaning(plan, state(segs(5)).config)).toBe(true);
  });

  it('weighs dirty bytes against clean ones, the segment holding the first dirty offset counting as both', () => {
    const log = state(segs(6), { firstDirtyOffset: 35 });
    const plan = planCleaning(log, NOW);
    expect(plan).toMatchObject({ firstDirtyOffset: 35, firstUncleanableOffset: 50, cleanBytes: 400, cleanableBytes: 200 });
    expect(plan.cleanableRatio).toBeCloseTo(1 / 3);
    expect(worthCleaning(plan, log.config)).toBe(false);
    expect(worthCleaning(plan, { ...log.config, minCleanableDirtyRatio: 0.3 })).toBe(true);
  });

  it('never reaches past the high watermark or recovery point: the segment holding it stays dirty', () => {
    const plan = planCleaning(state(segs(6), { cleanableEnd: 25 }), NOW);
    expect(plan.firstUncleanableOffset).toBe(20);
    expect(plan.cleanableBytes).toBe(200);
  });

  it('leaves segments with records younger than min.compaction.lag.ms', () => {
    // Segment i's newest record is (10 - i) seconds old.
    const s = segs(8, 100, (i) => (10 - i) * 1000);
    const plan = planCleaning(state(s, {}, { minCompactionLagMs: 6500 }), NOW);
    expect(plan.firstUncleanableOffset).toBe(40);
  });

  it('cleans a log below the dirty ratio once dirty records are older than max.compaction.lag.ms', () => {
    const log = state(segs(6), { firstDirtyOffset: 40 }, { maxCompactionLagMs: 10_000_000 });
    expect(planCleaning(log, NOW).needCompactionNow).toBe(false);
    const lagging = { ...log, config: { ...log.config, maxCompactionLagMs: 990_000 } };
    const plan = planCleaning(lagging, NOW);
    // Only segment 40 is dirty and not active; its first batch is 996.5 s old.
    expect(plan).toMatchObject({ needCompactionNow: true, cleanableBytes: 100 });
    expect(plan.cleanableRatio).toBeLessThan(0.5);
    expect(worthCleaning(plan, lagging.config)).toBe(true);
  });

  it('starts again from the log start when the recorded first dirty offset lies outside the log', () => {
    expect(planCleaning(state(segs(4), { firstDirtyOffset: 5, logStartOffset: 12 }), NOW).firstDirtyOffset).toBe(12);
    expect(planCleaning(state(segs(4), { firstDirtyOffset: 999 }), NOW).firstDirtyOffset).toBe(0);
  });

  it('finds nothing to clean in a log that is all active segment, or all clean', () => {
    const single = state(segs(1));
    expect(worthCleaning(planCleaning(single, NOW), single.config)).toBe(false);
    const clean = state(segs(4), { firstDirtyOffset: 30 });
    const plan = planCleaning(clean, NOW);
    expect(plan).toMatchObject({ cleanableBytes: 0, cleanableRatio: 0 });
    expect(worthCleaning(plan, clean.config)).toBe(false);
  });
});

describe('groupSegments', () => {
  it('joins consecutive segments while their bytes fit one segment', () => {
    const s = [0, 10, 20, 30, 40].map((baseOffset, i) => ({ baseOffset, size: [600, 300, 200, 900, 0][i]! }));
    const groups = groupSegments(s, 1000, (i) => s[i + 1]?.baseOffset ?? 50);
    expect(groups.map((g) => g.map((x) => x.baseOffset))).toEqual([[0, 10], [20], [30, 40]]);
  });

  it('never lets a group span more offsets than int32 relative offsets reach', () => {
    const s = [0, 2 ** 31 - 20, 2 ** 31 - 10].map((baseOffset) => ({ baseOffset, size: 10 }));
    const groups = groupSegments(s, 1000, (i) => s[i + 1]?.baseOffset ?? 2 ** 31 + 5);
    expect(groups.map((g) => g.map((x) => x.baseOffset))).toEqual([[0, 2 ** 31 - 20], [2 ** 31 - 10]]);
  });
});
