import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/schema.js';
import { DirLockedError } from '../../../src/fs/dir-lock.js';
import { DEFAULT_LOG_CONFIG, logConfigFrom, type LogConfig } from '../../../src/log/log-config.js';
import { LogManager, parsePartitionDir, type LogManagerOptions } from '../../../src/log/log-manager.js';
import { topicNameProblem } from '../../../src/log/topic-name.js';
import { makeBatch } from './batches.js';
import { readAll, silent, T0, tempDir } from './fixture.js';

async function manager(dirs: string[], extra: Partial<LogManagerOptions> = {}, configs: Record<string, Partial<LogConfig>> = {}): Promise<LogManager> {
  return LogManager.open({
    dirs,
    configFor: (topic) => ({ ...DEFAULT_LOG_CONFIG, ...configs[topic] }),
    logger: silent,
    scheduleTasks: false,
    ...extra,
  });
}

describe('LogManager', () => {
  it('creates partition logs, finds them again after a restart, and deletes them', async () => {
    const dir = await tempDir();
    const m = await manager([dir]);
    const a0 = await m.create('orders', 0);
    expect(await m.create('orders', 0)).toBe(a0);
    const b3 = await m.create('my.topic-1', 3);
    a0.append(makeBatch(['one', 'two']), T0);
    b3.append(makeBatch(['x']), T0);
    await m.close();
    expect((await readdir(dir)).sort()).toEqual(['my.topic-1-3', 'orders-0']);

    const again = await manager([dir]);
    expect(again.partitions().sort((x, y) => x.topic.localeCompare(y.topic))).toEqual([
      { topic: 'my.topic-1', partition: 3 },
      { topic: 'orders', partition: 0 },
    ]);
    expect((await readAll(again.get('orders', 0)!)).map((r) => r.value)).toEqual(['one', 'two']);
    expect(await again.delete('orders', 0)).toBe(true);
    expect(await again.delete('orders', 0)).toBe(false);
    expect(again.get('orders', 0)).toBeUndefined();
    expect((await readdir(dir)).filter((n) => n !== '.lock')).toEqual(['my.topic-1-3']);
    await again.close();
  });

  it('finishes deletions interrupted by a crash and ignores foreign entries', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'gone-0.0123abcd-delete'));
    await writeFile(join(dir, 'gone-0.0123abcd-delete', '00000000000000000000.log'), 'x');
    await mkdir(join(dir, 'not a partition'));
    await writeFile(join(dir, 'topics.json'), '{}');
    const m = await manager([dir]);
    expect(m.partitions()).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['.lock', 'not a partition', 'topics.json']);
    await m.close();
  });

  it('locks its directories against a second manager', async () => {
    const dir = await tempDir();
    const m = await manager([dir]);
    await expect(manager([dir])).rejects.toBeInstanceOf(DirLockedError);
    expect(await readdir(dir)).toContain('.lock');
    await m.close();
    expect(await readdir(dir)).not.toContain('.lock');
    const again = await manager([dir]);
    await again.close();
  });

  it('takes over a lock left by a dead process', async () => {
    const dir = await tempDir();
    // Above Linux's largest possible pid_max (2^22): no such process can exist.
    await writeFile(join(dir, '.lock'), String(4_194_305));
    const m = await manager([dir]);
    await m.close();
  });

  it('spreads new partitions over several directories', async () => {
    const d1 = await tempDir();
    const d2 = await tempDir();
    const m = await manager([d1, d2]);
    for (let p = 0; p < 4; p++) await m.create('t', p);
    expect((await readdir(d1)).filter((n) => n.startsWith('t-'))).toHaveLength(2);
    expect((await readdir(d2)).filter((n) => n.startsWith('t-'))).toHaveLength(2);
    await m.close();
    const again = await manager([d1, d2]);
    expect(again.partitions()).toHaveLength(4);
    await again.close();
  });

  it('runs retention and the flush.ms check with the injected clock, and applies config updates', async () => {
    const dir = await tempDir();
    const configs: Record<string, Partial<LogConfig>> = { short: { retentionMs: 1000, segmentBytes: 200, flushMs: 50 } };
    let now = T0;
    const m = await manager([dir], { clock: () => now }, configs);
    const log = await m.create('short', 0);
    for (let i = 0; i < 5; i++) log.append(makeBatch([{ value: 'v'.repeat(120), timestamp: T0 + i }]), T0 + i);
    await log.waitWritten(4);
    expect(log.recoveryPoint).toBeLessThan(5);
    now = T0 + 100;
    m.runFlushChecks();
    await log.waitDurable(4);
    now = T0 + 1004;
    expect(await m.runRetention()).toBe(4);
    expect(log.logStartOffset).toBe(4);
    configs.short = { retentionMs: -1 };
    m.updateTopicConfig('short');
    expect(log.config.retentionMs).toBe(-1);
    expect(await m.runRetention(T0 + 10_000_000)).toBe(0);
    await m.checkpointAll();
    await m.close();
  });
});

describe('parsePartitionDir', () => {
  it('splits at the last dash and refuses names that are no partition', () => {
    expect(parsePartitionDir('a-b-12')).toEqual({ topic: 'a-b', partition: 12 });
    expect(parsePartitionDir('orders-0')).toEqual({ topic: 'orders', partition: 0 });
    expect(parsePartitionDir('orders')).toBeUndefined();
    expect(parsePartitionDir('orders-0.abc-delete')).toBeUndefined();
    expect(parsePartitionDir('bad topic-1')).toBeUndefined();
    expect(parsePartitionDir('t-99999999999')).toBeUndefined();
  });
});

describe('topicNameProblem', () => {
  it('follows Kafka rules, which keep a name safe in a directory name', () => {
    expect(topicNameProblem('orders.v1_a-b')).toBeUndefined();
    for (const bad of ['', '.', '..', 'a b', 'a/b', 'x'.repeat(250), 'é']) expect(topicNameProblem(bad)).toBeDefined();
  });
});

describe('logConfigFrom', () => {
  it('reads Kafka topic config names over a base, refusing bad values by key', () => {
    const cfg = logConfigFrom({
      'segment.bytes': '1048576',
      'retention.ms': '-1',
      'flush.ms': '9223372036854775807',
      'message.timestamp.type': 'LogAppendTime',
      'cleanup.policy': 'delete',
    });
    expect(cfg).toMatchObject({ segmentBytes: 1_048_576, retentionMs: -1, timestampType: 'LogAppendTime', indexIntervalBytes: 4096 });
    expect(cfg.flushMs).toBeGreaterThan(2 ** 62);
    expect(() => logConfigFrom({ 'segment.bytes': '10' })).toThrow(/segment.bytes/);
    expect(() => logConfigFrom({ 'retention.bytes': 'lots' })).toThrow(ConfigError);
    expect(() => logConfigFrom({ 'message.timestamp.type': 'Now' })).toThrow(/message.timestamp.type/);
  });
});
