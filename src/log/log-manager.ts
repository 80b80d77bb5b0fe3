// All partition logs of this broker: the data directories (log.dirs), each locked against a second
// process, every `<topic>-<partition>` directory opened at start, partitions created and deleted, and
// the periodic work: retention (log.retention.check.interval.ms), the time-based flush check
// (log.flush.scheduler.interval.ms, applying each topic's flush.ms), recovery-point checkpoints
// (log.flush.offset.checkpoint.interval.ms) and the log cleaner for compacted topics (log.cleaner.*).
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DirLock } from '../fs/dir-lock.js';
import type { Logger } from '../logger.js';
import { checkCleanerConfig, DEFAULT_CLEANER_CONFIG, type CleanerConfig } from './cleaner/cleaner-config.js';
import { LogCleaner, type CleanerPass } from './cleaner/log-cleaner.js';
import { syncDirectory } from '../fs/dir-sync.js';
import type { LogConfig } from './log-config.js';
import { PartitionLog, type RecordLocator } from './partition-log.js';
import { topicNameProblem } from './topic-name.js';

/** Kafka's log.flush.offset.checkpoint.interval.ms default. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000;
/** Kafka's log.retention.check.interval.ms default. */
export const DEFAULT_RETENTION_CHECK_INTERVAL_MS = 300_000;
/** Kafka's producer.id.expiration.ms (one day) and producer.id.expiration.check.interval.ms (ten minutes). */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;
export const DEFAULT_PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = 600_000;
/** Node timers cannot wait longer; longer intervals (Kafka's Long.MAX "never") schedule nothing. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Partition logs opened at once at start. */
const OPEN_CONCURRENCY = 4;
/** A partition directory renamed for deletion: `<topic>-<partition>.<id>-delete`, as Kafka names them. */
const DELETE_SUFFIX = '-delete';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface LogManagerOptions {
  /** log.dirs. New partitions go to the directory holding the fewest. */
  dirs: readonly string[];
  /** The LogConfig of a topic (its overrides over the broker defaults). */
  configFor: (topic: string) => LogConfig;
  logger: Logger;
  /** Wall clock (ms); tests inject their own. */
  clock?: () => number;
  tailCacheBytes?: number;
  /** See PartitionLogOptions.recordLocator. */
  recordLocator?: RecordLocator;
  retentionCheckIntervalMs?: number;
  /** log.flush.scheduler.interval.ms; Kafka's default (Long.MAX) never checks. */
  flushCheckIntervalMs?: number;
  checkpointIntervalMs?: number;
  /** producer.id.expiration.ms: an idempotent producer idle this long is forgotten by a partition. */
  producerIdExpirationMs?: number;
  /** producer.id.expiration.check.interval.ms */
  producerIdExpirationCheckIntervalMs?: number;
  /** The log cleaner's settings; Kafka's defaults if absent. */
  cleaner?: CleanerConfig;
  /** Run the periodic work on timers (default true). Tests call runRetention & co. themselves. */
  scheduleTasks?: boolean;
  /** Told when a partition's disk fails under it. */
  onLogFailure?: (tp: TopicPartition, err: Error) => void;
}

/** `<topic>-<partition>`, or undefined for a name that is not a partition directory. */
export function parsePartitionDir(name: string): TopicPartition | undefined {
  const m = /^(.+)-(\d{1,10})$/.exec(name);
  if (!m) return undefined;
  const partition = Number(m[2]);
  if (partition > 2 ** 31 - 1 || topicNameProblem(m[1]!) !== undefined) return undefined;
  return { topic: m[1]!, partition };
}

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

interface Entry {
  tp: TopicPartition;
  dir: string;
  log: PartitionLog;
}

export class LogManager {
  private readonly entries = new Map<string, Entry>();
  /** Create and delete of one partition run one after another. */
  private readonly keyOps = new Map<string, Promise<unknown>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;
  private readonly clock: () => number;
  private readonly cleaner: LogCleaner;

  private constructor(
    private readonly options: LogManagerOptions,
    private readonly locks: DirLock[],
  ) {
    this.clock = options.clock ?? Date.now;
    this.cleaner = new LogCleaner({
      config: options.cleaner ?? DEFAULT_CLEANER_CONFIG,
      logs: () => [...this.entries.values()].map((e) => ({ name: partitionDirName(e.tp.topic, e.tp.partition), log: e.log })),
      logger: options.logger,
      clock: this.clock,
    });
  }

  /** Locks the directories, removes half-deleted partitions, opens (recovering) every partition log. */
  static async open(options: LogManagerOptions): Promise<LogManager> {
    if (options.dirs.length === 0) throw new Error('no log directory configured');
    checkCleanerConfig(options.cleaner ?? DEFAULT_CLEANER_CONFIG);
    for (const dir of options.dirs) await mkdir(dir, { recursive: true });
    const locks = await DirLock.acquireAll(options.dirs);
    const manager = new LogManager(options, locks);
    try {
      await manager.loadAll();
    } catch (err) {
      await manager.close();
      throw err;
    }
    if (options.scheduleTasks ?? true) manager.startTasks();
    return manager;
  }

  private async loadAll(): Promise<void> {
    const found: { tp: TopicPartition; dir: string }[] = [];
    for (const root of this.options.dirs) {
      for (const ent of await readdir(root, { withFileTypes: true })) {
        if (!ent.isDirectory()) continue;
        const path = join(root, ent.name);
        if (ent.name.endsWith(DELETE_SUFFIX)) {
          this.options.logger.info({ dir: path }, 'finishing the deletion of a partition directory');
          await rm(path, { recursive: true, force: true });
          continue;
        }
        const tp = parsePartitionDir(ent.name);
        if (!tp) continue;
        const twin = found.find((f) => f.tp.topic === tp.topic && f.tp.partition === tp.partition);
        if (twin) throw new Error(`partition ${ent.name} is in two log directories: ${twin.dir} and ${path}`);
        found.push({ tp, dir: path });
      }
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < found.length) {
        const { tp, dir } = found[next++]!;
        this.entries.set(key(tp), { tp, dir, log: await this.openLog(tp, dir) });
      }
    };
    await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, worker));
    this.options.logger.info({ partitions: this.entries.size, dirs: this.options.dirs }, 'partition logs loaded');
  }

  private openLog(tp: TopicPartition, dir: string): Promise<PartitionLog> {
    const o = this.options;
    return PartitionLog.open(dir, {
      config: o.configFor(tp.topic),
      logger: o.logger,
      clock: this.clock,
      ...(o.tailCacheBytes !== undefined && { tailCacheBytes: o.tailCacheBytes }),
      ...(o.recordLocator && { recordLocator: o.recordLocator }),
      onFailure: (err) => {
        o.logger.error({ topic: tp.topic, partition: tp.partition, err }, 'partition log failed');
        o.onLogFailure?.(tp, err);
      },
    });
  }

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.entries.get(key({ topic, partition }))?.log;
  }

  /** Every partition with a log here. */
  partitions(): TopicPartition[] {
    return [...this.entries.values()].map((e) => ({ ...e.tp }));
  }

  /** log.dirs, as configured. */
  get dirs(): readonly string[] {
    return this.options.dirs;
  }

  /** Every partition log with the directory of log.dirs holding it (DescribeLogDirs groups them so). */
  placed(): { tp: TopicPartition; root: string; log: PartitionLog }[] {
    return [...this.entries.values()].map((e) => ({ tp: { ...e.tp }, root: dirname(e.dir), log: e.log }));
  }

  /** The directory holding a partition's log. */
  dirOf(topic: string, partition: number): string | undefined {
    return this.entries.get(key({ topic, partition }))?.dir;
  }

  private serial<T>(k: string, work: () => Promise<T>): Promise<T> {
    const run = (this.keyOps.get(k) ?? Promise.resolve()).then(work, work);
    const tail = run.catch(() => undefined);
    this.keyOps.set(k, tail);
    void tail.then(() => {
      if (this.keyOps.get(k) === tail) this.keyOps.delete(k);
    });
    return run;
  }

  /** The partition's log, created (empty, offsets from 0) if it does not exist. */
  create(topic: string, partition: number): Promise<PartitionLog> {
    const problem = topicNameProblem(topic);
    if (problem) return Promise.reject(new Error(problem));
    if (!Number.isInteger(partition) || partition < 0) return Promise.reject(new Error(`bad partition ${partition}`));
    const tp = { topic, partition };
    return this.serial(key(tp), async () => {
      if (this.closed) throw new Error('log manager is closed');
      const existing = this.entries.get(key(tp));
      if (existing) return existing.log;
      const dir = join(this.leastLoadedDir(), partitionDirName(topic, partition));
      const log = await this.openLog(tp, dir);
      this.entries.set(key(tp), { tp, dir, log });
      this.options.logger.info({ topic, partition, dir }, 'created partition log');
      return log;
    });
  }

  private leastLoadedDir(): string {
    const counts = new Map(this.options.dirs.map((d) => [d, 0]));
    for (const e of this.entries.values()) {
      for (const d of counts.keys()) if (e.dir.startsWith(join(d, '/'))) counts.set(d, counts.get(d)! + 1);
    }
    let best = this.options.dirs[0]!;
    for (const [d, n] of counts) if (n < counts.get(best)!) best = d;
    return best;
  }

  /**
   * Closes the partition's log and removes its directory: renamed to `<name>.<id>-delete` first (an
   * atomic step, made durable), then removed; a crash in between leaves a directory that open() removes.
   * Resolves false if there was no such partition.
   */
  delete(topic: string, partition: number): Promise<boolean> {
    const tp = { topic, partition };
    return this.serial(key(tp), async () => {
      const entry = this.entries.get(key(tp));
      if (!entry) return false;
      this.entries.delete(key(tp));
      await entry.log.close().catch((err: unknown) => this.options.logger.warn({ err, topic, partition }, 'closing a failed log for deletion'));
      const parent = join(entry.dir, '..');
      const doomed = `${entry.dir}.${randomUUID().replaceAll('-', '')}${DELETE_SUFFIX}`;
      await rename(entry.dir, doomed);
      await syncDirectory(parent);
      await rm(doomed, { recursive: true, force: true });
      this.options.logger.info({ topic, partition }, 'deleted partition log');
      return true;
    });
  }

  /** Re-reads a topic's LogConfig (after AlterConfigs) into its partition logs. */
  updateTopicConfig(topic: string): void {
    const config = this.options.configFor(topic);
    for (const e of this.entries.values()) if (e.tp.topic === topic) e.log.updateConfig(config);
  }

  /** One retention pass over every log; resolves with the number of segments deleted. */
  async runRetention(now = this.clock()): Promise<number> {
    let deleted = 0;
    for (const e of [...this.entries.values()]) {
      try {
        deleted += await e.log.applyRetention(now);
      } catch (err) {
        this.options.logger.error({ err, topic: e.tp.topic, partition: e.tp.partition }, 'retention failed');
      }
    }
    return deleted;
  }

  /**
   * Forgets, in every log, idempotent producers whose newest batch is producer.id.expiration.ms old
   * (Kafka's removeExpiredProducers); resolves with how many went.
   */
  runProducerExpiration(now = this.clock()): number {
    const expirationMs = this.options.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS;
    let removed = 0;
    for (const e of this.entries.values()) removed += e.log.expireProducers(now, expirationMs);
    return removed;
  }

  /** Kafka's flush.ms check: starts an fsync of every log whose unflushed data is old enough. */
  runFlushChecks(now = this.clock()): void {
    for (const e of this.entries.values()) e.log.flushIfDue(now);
  }

  /** One log cleaner pass: the dirtiest compacted log worth it is cleaned. Undefined if none was. */
  runCleaner(now = this.clock()): Promise<CleanerPass | undefined> {
    return this.cleaner.runPass(now);
  }

  /** Partitions whose cleaning failed (they are not cleaned again until restart). */
  get uncleanablePartitions(): string[] {
    return this.cleaner.uncleanablePartitions;
  }

  /** Persists every log's recovery point and log start offset. */
  async checkpointAll(): Promise<void> {
    await Promise.all(
      [...this.entries.values()].map((e) =>
        e.log.checkpoint().catch((err: unknown) => this.options.logger.error({ err, topic: e.tp.topic, partition: e.tp.partition }, 'checkpoint failed')),
      ),
    );
  }

  private startTasks(): void {
    const o = this.options;
    this.every(o.retentionCheckIntervalMs ?? DEFAULT_RETENTION_CHECK_INTERVAL_MS, () => this.runRetention());
    this.every(o.flushCheckIntervalMs ?? Number.MAX_VALUE, async () => this.runFlushChecks());
    this.every(o.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS, () => this.checkpointAll());
    this.every(o.producerIdExpirationCheckIntervalMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS, async () => this.runProducerExpiration());
    this.cleaner.start();
  }

  /** Runs `task` every `ms` (never overlapping itself); intervals beyond a timer's reach mean never. */
  private every(ms: number, task: () => Promise<unknown>): void {
    if (!(ms > 0 && ms <= MAX_TIMER_MS)) return;
    let busy = false;
    const timer = setInterval(() => {
      if (busy || this.closed) return;
      busy = true;
      const run = task()
        .catch((err: unknown) => this.options.logger.error({ err }, 'log maintenance task failed'))
        .finally(() => {
          busy = false;
          this.running.delete(run);
        });
      this.running.add(run);
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** Stops the periodic work, closes every log (flushed, clean), releases the directory locks. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.cleaner.stop();
    await Promise.allSettled([...this.running, ...this.keyOps.values()]);
    const results = await Promise.allSettled([...this.entries.values()].map((e) => e.log.close()));
    this.entries.clear();
    await Promise.all(this.locks.map((l) => l.release()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

function key(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}
