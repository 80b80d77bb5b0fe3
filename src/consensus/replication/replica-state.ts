// What a leader knows about one follower, and Kafka's rule for when that follower counts as caught up
// (Replica.scala: updateFetchStateOrThrow, resetReplicaState, isCaughtUp).

export interface ReplicaState {
  /** -1 until the follower fetches from this leader. */
  logEndOffset: number;
  logStartOffset: number;
  /** The leader's log end when the follower last fetched. */
  lastFetchLeaderLogEndOffset: number;
  lastFetchTime: number;
  /** The last time the follower had read up to the leader's log end. */
  lastCaughtUpTime: number;
}

export const UNKNOWN_OFFSET = -1;

export function emptyReplicaState(): ReplicaState {
  return { logEndOffset: UNKNOWN_OFFSET, logStartOffset: UNKNOWN_OFFSET, lastFetchLeaderLogEndOffset: 0, lastFetchTime: 0, lastCaughtUpTime: 0 };
}

/**
 * A fetch at `fetchOffset` arrived at `now` while the leader's log ended at `leaderEnd`. A fetch that
 * reads to the leader's end makes the follower caught up now; one that reads to where the leader's end
 * was at the previous fetch makes it caught up as of that previous fetch. So a follower chasing a
 * steady stream of small produces stays in sync although it never quite reaches the end.
 */
export function recordFetch(s: ReplicaState, fetchOffset: number, logStartOffset: number, now: number, leaderEnd: number): void {
  let caughtUp = s.lastCaughtUpTime;
  if (fetchOffset >= leaderEnd) caughtUp = Math.max(caughtUp, now);
  else if (fetchOffset >= s.lastFetchLeaderLogEndOffset) caughtUp = Math.max(caughtUp, s.lastFetchTime);
  s.logStartOffset = logStartOffset;
  s.logEndOffset = fetchOffset;
  s.lastFetchLeaderLogEndOffset = Math.max(leaderEnd, s.lastFetchLeaderLogEndOffset);
  s.lastFetchTime = now;
  s.lastCaughtUpTime = caughtUp;
}

/**
 * A new leader epoch starts at `leaderEnd`. In-sync followers get a full lag period from now, others
 * none, so an out-of-sync one does not hold the high watermark back. A new leader knows nothing of
 * where followers are; a re-elected one keeps what it knew.
 */
export function resetForEpoch(s: ReplicaState, now: number, leaderEnd: number, isNewLeader: boolean, inSync: boolean): ReplicaState {
  if (isNewLeader) return { ...emptyReplicaState(), lastFetchLeaderLogEndOffset: UNKNOWN_OFFSET, lastCaughtUpTime: inSync ? now : 0 };
  return { ...s, lastFetchLeaderLogEndOffset: leaderEnd, lastFetchTime: inSync ? now : 0, lastCaughtUpTime: inSync ? now : 0 };
}

export function isCaughtUp(s: ReplicaState, leaderEnd: number, now: number, lagMax: number): boolean {
  return leaderEnd === s.logEndOffset || now - s.lastCaughtUpTime <= lagMax;
}
