// The wait of a Fetch that found less than min_bytes: like Kafka's DelayedFetch, it ends when appends
// have made enough bytes readable in the fetched partitions, or when max_wait_ms runs out. The fetch
// then reads its partitions again from the same offsets.
//
// Bytes are counted the way Kafka counts them, by how far each partition's log has grown since the
// first read (capped at what the partition may return); a retention pass that shrinks a log only makes
// the wait last longer, never answer early. A read_committed fetch reads only below the last stable
// offset: appends behind an open transaction give it nothing, so its partition counts only once the last
// stable offset moved, and then as full (Kafka's DelayedFetch likewise measures up to the last stable
// offset for it), rather than waking it for every append to answer it empty.
import type { PartitionLog } from '../../log/partition-log.js';

export interface WatchedPartition {
  log: PartitionLog;
  /** The most this partition may add to the response. */
  maxBytes: number;
  /** A follower's fetch: woken by appends, since at the leader the high watermark waits for followers. */
  wakeOnAppend?: boolean;
  /** A read_committed consumer's fetch: only a move of the last stable offset makes bytes readable. */
  readCommitted?: boolean;
}

/**
 * Resolves once the watched logs grew by `neededBytes` in all (counting each up to its maxBytes), after
 * `maxWaitMs`, or as soon as `signal` aborts (the client went away: nobody waits for the answer).
 */
export function waitForBytes(watched: readonly WatchedPartition[], neededBytes: number, maxWaitMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const startSizes = watched.map((w) => w.log.sizeBytes);
    const startStable = watched.map((w) => (w.readCommitted ? w.log.lastStableOffset : 0));
    const unsubscribes: (() => void)[] = [];
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      for (const unsubscribe of unsubscribes) unsubscribe();
      unsubscribes.length = 0;
      resolve();
    };
    const check = (): void => {
      let grown = 0;
      for (let i = 0; i < watched.length; i++) {
        const w = watched[i]!;
        if (w.readCommitted) grown += w.log.lastStableOffset > startStable[i]! ? w.maxBytes : 0;
        else grown += Math.min(w.maxBytes, Math.max(0, w.log.sizeBytes - startSizes[i]!));
      }
      if (grown >= neededBytes) finish();
    };
    if (signal?.aborted) return finish();
    signal?.addEventListener('abort', finish, { once: true });
    timer = setTimeout(finish, maxWaitMs);
    for (const w of watched) unsubscribes.push(w.wakeOnAppend ? w.log.onAppend(check) : w.log.onHighWatermark(check));
  });
}
