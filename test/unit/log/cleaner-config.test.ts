// The compaction settings as Kafka names them: server.properties log.cleaner.* keys and their topic
// config synonyms, their ranges, and what reaches the log and the cleaner.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/schema.js';
import { brokerConfigFromText, cleanerConfigOf } from '../../../src/kafka/broker-config.js';
import { effectiveTopicConfigs, topicConfigProblem } from '../../../src/kafka/metadata/topic-config.js';
import { logConfigForTopic } from '../../../src/kafka/topics/topic-log-config.js';
import { DEFAULT_CLEANER_CONFIG } from '../../../src/log/cleaner/cleaner-config.js';
import { DEFAULT_LOG_CONFIG, logConfigFrom, maxSegmentMs, parseCleanupPolicy } from '../../../src/log/log-config.js';

describe('broker settings', () => {
  it("default to Kafka's, and are read from server.properties", () => {
    expect(cleanerConfigOf(brokerConfigFromText(''))).toEqual(DEFAULT_CLEANER_CONFIG);
    const cfg = brokerConfigFromText(
      [
        'log.cleaner.enable=false',
        'log.cleaner.backoff.ms=500',
        'log.cleaner.dedupe.buffer.size=1048576',
        'log.cleaner.io.buffer.load.factor=0.75',
        'log.cleaner.io.buffer.size=65536',
        'log.cleaner.io.max.bytes.per.second=1e6',
        'log.cleaner.threads=2',
      ].join('\n'),
    );
    expect(cleanerConfigOf(cfg)).toEqual({ enable: false, backoffMs: 500, dedupeBufferBytes: 1_048_576, dedupeBufferLoadFactor: 0.75, ioBufferBytes: 65_536, maxIoBytesPerSecond: 1e6 });
    // One cleaner runs whatever the thread count: the key is accepted and noted.
    expect(cfg.ignoredKeys).toEqual(['log.cleaner.threads']);
    expect(cfg.unknownKeys).toEqual([]);
  });

  it('refuse values out of range, naming the key', () => {
    expect(() => brokerConfigFromText('log.cleanup.policy=compact,shred')).toThrow(/log.cleanup.policy/);
    expect(() => brokerConfigFromText('log.cleaner.min.cleanable.ratio=1.5')).toThrow(/log.cleaner.min.cleanable.ratio/);
    expect(() => brokerConfigFromText('log.cleaner.max.compaction.lag.ms=0')).toThrow(/log.cleaner.max.compaction.lag.ms/);
    expect(() => brokerConfigFromText('log.cleaner.io.buffer.load.factor=lots')).toThrow(ConfigError);
  });

  it('set the topic defaults through their synonyms', () => {
    const cfg = brokerConfigFromText(
      ['log.cleanup.policy=compact,delete', 'log.cleaner.delete.retention.ms=5000', 'log.cleaner.min.cleanable.ratio=0.25', 'log.cleaner.min.compaction.lag.ms=7', 'log.cleaner.max.compaction.lag.ms=9000'].join('\n'),
    );
    const eff = new Map(effectiveTopicConfigs(cfg, { 'delete.retention.ms': '100' }).map((e) => [e.name, e]));
    expect(eff.get('cleanup.policy')).toMatchObject({ value: 'compact,delete', source: 'broker' });
    expect(eff.get('delete.retention.ms')).toMatchObject({ value: '100', source: 'topic' });
    expect(eff.get('min.cleanable.dirty.ratio')).toMatchObject({ value: '0.25', source: 'broker' });
    expect(eff.get('max.compaction.lag.ms')).toMatchObject({ value: '9000', source: 'broker' });
    expect(logConfigForTopic(cfg, { 'delete.retention.ms': '100' })).toMatchObject({
      compact: true,
      delete: true,
      deleteRetentionMs: 100,
      minCleanableDirtyRatio: 0.25,
      minCompactionLagMs: 7,
      maxCompactionLagMs: 9000,
    });
    const defaults = new Map(effectiveTopicConfigs(brokerConfigFromText(''), {}).map((e) => [e.name, e]));
    expect(defaults.get('delete.retention.ms')).toMatchObject({ value: '86400000', source: 'default' });
    expect(defaults.get('min.cleanable.dirty.ratio')).toMatchObject({ value: '0.5', source: 'default' });
    expect(defaults.get('max.compaction.lag.ms')).toMatchObject({ source: 'default' });
    expect(Number(defaults.get('max.compaction.lag.ms')!.value)).toBeGreaterThan(2 ** 62);
  });
});

describe('topic configs', () => {
  it('accept compact, delete and both, in any order and spacing', () => {
    for (const v of ['compact', 'delete', 'compact,delete', 'delete, compact']) expect(topicConfigProblem('cleanup.policy', v)).toBeUndefined();
    expect(parseCleanupPolicy('delete, compact')).toEqual({ compact: true, delete: true });
    expect(parseCleanupPolicy('compact')).toEqual({ compact: true, delete: false });
    for (const v of ['', 'shred', 'compact,,delete']) expect(topicConfigProblem('cleanup.policy', v)).toMatch(/compact, delete/);
  });

  it('check the compaction keys as Kafka types them', () => {
    expect(topicConfigProblem('delete.retention.ms', '0')).toBeUndefined();
    expect(topicConfigProblem('delete.retention.ms', '-1')).toMatch(/minimum/);
    expect(topicConfigProblem('min.cleanable.dirty.ratio', '0.01')).toBeUndefined();
    expect(topicConfigProblem('min.cleanable.dirty.ratio', '1.01')).toMatch(/maximum 1/);
    expect(topicConfigProblem('min.cleanable.dirty.ratio', 'half')).toMatch(/number/);
    expect(topicConfigProblem('min.compaction.lag.ms', '0')).toBeUndefined();
    expect(topicConfigProblem('max.compaction.lag.ms', '0')).toMatch(/minimum 1/);
  });

  it('reach the log config, and a compacted log rolls within max.compaction.lag.ms', () => {
    const cfg = logConfigFrom({ 'cleanup.policy': 'compact', 'max.compaction.lag.ms': '60000', 'min.cleanable.dirty.ratio': '0.1' });
    expect(cfg).toMatchObject({ compact: true, delete: false, maxCompactionLagMs: 60_000, minCleanableDirtyRatio: 0.1 });
    expect(maxSegmentMs(cfg)).toBe(60_000);
    expect(maxSegmentMs({ ...cfg, compact: false })).toBe(DEFAULT_LOG_CONFIG.segmentMs);
    expect(() => logConfigFrom({ 'cleanup.policy': 'none' })).toThrow(/cleanup.policy/);
    expect(() => logConfigFrom({ 'min.cleanable.dirty.ratio': '2' })).toThrow(/min.cleanable.dirty.ratio/);
  });
});
