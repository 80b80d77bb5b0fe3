// A test's log described record by record: the leader-epoch entries it implies, by the log's own rules.
import { LeaderEpochCache, type EpochEntry } from '../../src/log/leader-epoch-cache.js';

/** The leader-epoch entries of a log whose records, from `startOffset`, carry `epochs` in order. */
export function epochsOf(epochs: readonly number[], startOffset = 0): EpochEntry[] {
  const cache = new LeaderEpochCache();
  epochs.forEach((epoch, i) => cache.assign(epoch, startOffset + i));
  return cache.list();
}
