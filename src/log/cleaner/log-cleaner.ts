// The background log cleaner (Kafka's LogCleaner with LogCleanerManager's choice of log): each pass
// plans every compacted log, picks the dirtiest one worth cleaning and cleans it; after a pass that
// cleaned something the next starts at once, otherwise after log.cleaner.backoff.ms. A log whose
// cleaning fails unexpectedly is left alone until the broker restarts, as Kafka marks it uncleanable.
import { initCompression } from '../../../protocol/kafka/compression/codecs.js';
import { isDiskFull } from '../../fs/write-all.js';
import type { Logger } from '../../logger.js';
import type { CleanerView, PartitionLog } from '../partition-log.js';
import { planCleaning, worthCleaning, type CleaningPlan } from './cleanable.js';
import { checkCleanerConfig, type CleanerConfig } from './cleaner-config.js';
import { CleaningAbortedError, cleanLog, type CleaningStats } from './cleaner.js';
import { Throttler } from './throttler.js';

/** Node timers cannot wait longer. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface CleanableLog {
  /** `<topic>-<partition>`, for logs and the uncleanable set. */
  name: string;
  log: PartitionLog;
}

export interface CleanerPass {
  name: string;
  /** Undefined if the cleaning was aborted (the log changed, closed, or the cleaner stopped). */
  stats: CleaningStats | undefined;
}

/** A log worth cleaning, with the snapshot and plan it was judged by. */
type Candidate = CleanableLog & { view: CleanerView; plan: CleaningPlan };

export interface LogCleanerOptions {
  config: CleanerConfig;
  /** The logs to consider, asked anew at each pass. */
  logs: () => Iterable<CleanableLog>;
  logger: Logger;
  /** Wall clock (ms); tests inject their own. */
  clock?: () => number;
}

export class LogCleaner {
  private readonly uncleanable = new Set<string>();
  private readonly throttler: Throttler;
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<unknown> | undefined;
  private stopping = false;
  private ready: Promise<void> | undefined;

  constructor(private readonly options: LogCleanerOptions) {
    checkCleanerConfig(options.config);
    this.clock = options.clock ?? Date.now;
    this.throttler = new Throttler(options.config.maxIoBytesPerSecond, this.clock, (ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Logs whose cleaning failed; they are not cleaned again by this cleaner. */
  get uncleanablePartitions(): string[] {
    return [...this.uncleanable];
  }

  /** Starts the background passes (nothing if log.cleaner.enable is false). */
  start(): void {
    if (!this.options.config.enable || this.stopping) return;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.current = this.runPass()
        .catch((err: unknown) => {
          this.options.logger.error({ err }, 'log cleaner pass failed');
          return undefined;
        })
        .then((pass) => this.schedule(pass?.stats ? 0 : Math.min(this.options.config.backoffMs, MAX_TIMER_MS)));
    }, ms);
    this.timer.unref();
  }

  /** Stops the passes; resolves once the one in flight (if any) has stopped. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.current;
  }

  /** One pass (tests call it themselves): cleans the dirtiest log worth it. Undefined if there was none. */
  async runPass(now = this.clock()): Promise<CleanerPass | undefined> {
    this.ready ??= initCompression();
    await this.ready;
    const pick = this.filthiest(now);
    if (!pick) return undefined;
    return { name: pick.name, stats: await this.clean(pick, now) };
  }

  private filthiest(now: number): Candidate | undefined {
    let best: Candidate | undefined;
    for (const entry of this.options.logs()) {
      if (!entry.log.config.compact || this.uncleanable.has(entry.name) || entry.log.stopped) continue;
      const view = entry.log.cleanerView();
      const plan = planCleaning(view, now);
      if (!worthCleaning(plan, view.config)) continue;
      if (!best || plan.cleanableRatio > best.plan.cleanableRatio) best = { ...entry, view, plan };
    }
    return best;
  }

  private async clean(pick: Candidate, now: number): Promise<CleaningStats | undefined> {
    const { name, log, view, plan } = pick;
    const logger = this.options.logger.child({ partition: name });
    const checkDone = (): void => {
      if (this.stopping || log.stopped) throw new CleaningAbortedError(`cleaning of ${name} stopped`);
    };
    try {
      const stats = await cleanLog(log, view, plan, { config: this.options.config, throttler: this.throttler, now, checkDone });
      logger.info({ ...stats, cleanableRatio: plan.cleanableRatio }, 'cleaned a compacted log');
      return stats;
    } catch (err) {
      if (err instanceof CleaningAbortedError || this.stopping) {
        logger.info({ reason: (err as Error).message }, 'log cleaning aborted');
        return undefined;
      }
      // Nothing was swapped in: the next pass, after log.cleaner.backoff.ms, tries again.
      if (isDiskFull(err)) {
        logger.warn({ err: (err as Error).message }, 'no space on the disk to write a cleaned segment; cleaning again later');
        return undefined;
      }
      this.uncleanable.add(name);
      logger.error({ err }, 'log cleaning failed; the partition is not cleaned again until restart');
      return undefined;
    }
  }
}
