// A group's committed offsets, the commits still on their way to __consumer_offsets, and the offsets
// transactional producers committed (TxnOffsetCommit) that wait for their transaction's marker: a COMMIT
// makes them the group's offsets, an ABORT drops them (Kafka's pendingTransactionalOffsetCommits). As
// Skein does not track where each offset record lies in the log, a committed transaction's offsets
// replace the partition's offset whatever came between; Kafka keeps a plain commit appended after the
// transactional one. The same rule applies when the log is read back, so a restart agrees.

export interface OffsetAndMetadata {
  offset: number;
  /** -1 when the committer did not know it. */
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
  /** -1 unless the commit set its own retention (OffsetCommit v1-4): then it expires at this time. */
  expireTimestampMs: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export class GroupOffsets {
  private readonly committed = new Map<string, Map<number, OffsetAndMetadata>>();
  /** Commits appended but not yet durable, by commit id per partition. */
  private readonly inFlight = new Map<string, Map<number, Set<number>>>();
  /** Transactional offsets by producer id, waiting for the transaction's marker. */
  private readonly pendingTxn = new Map<number, Map<string, Map<number, OffsetAndMetadata>>>();

  /** Whether anything is committed or on its way: such a group is not forgotten. */
  get isEmpty(): boolean {
    return this.committed.size === 0 && this.inFlight.size === 0 && this.pendingTxn.size === 0;
  }

  /** A transactional producer's offset for the partition, in the log now, waiting for its marker. */
  addPendingTxn(producerId: number, topic: string, partition: number, offset: OffsetAndMetadata): void {
    partitionsOf(getOrCreate(this.pendingTxn, producerId, () => new Map()), topic).set(partition, offset);
  }

  /** Whether a transaction has an offset for the partition that its marker has not settled yet. */
  hasPendingTxn(topic: string, partition: number): boolean {
    for (const topics of this.pendingTxn.values()) if (topics.get(topic)?.has(partition)) return true;
    return false;
  }

  /** Whether the producer has offsets waiting for its marker in this group. */
  hasPendingTxnOf(producerId: number): boolean {
    return this.pendingTxn.has(producerId);
  }

  /** The producer's transaction ended: its offsets become the group's (COMMIT) or are dropped (ABORT). */
  completeTxn(producerId: number, commit: boolean): void {
    const topics = this.pendingTxn.get(producerId);
    if (!topics) return;
    this.pendingTxn.delete(producerId);
    if (!commit) return;
    for (const [topic, partitions] of topics) for (const [partition, offset] of partitions) partitionsOf(this.committed, topic).set(partition, offset);
  }

  get(topic: string, partition: number): OffsetAndMetadata | undefined {
    return this.committed.get(topic)?.get(partition);
  }

  /** Committed partitions by topic, in commit order. */
  byTopic(): ReadonlyMap<string, ReadonlyMap<number, OffsetAndMetadata>> {
    return this.committed;
  }

  *all(): Generator<[TopicPartition, OffsetAndMetadata]> {
    for (const [topic, partitions] of this.committed) {
      for (const [partition, offset] of partitions) yield [{ topic, partition }, offset];
    }
  }

  /** Puts an offset read back from __consumer_offsets. */
  load(topic: string, partition: number, offset: OffsetAndMetadata): void {
    partitionsOf(this.committed, topic).set(partition, offset);
  }

  isInFlight(topic: string, partition: number): boolean {
    return this.inFlight.get(topic)?.has(partition) ?? false;
  }

  /** Notes that commit `commitId` for the partition is on its way to the log. */
  beginCommit(topic: string, partition: number, commitId: number): void {
    getOrCreate(partitionsOf(this.inFlight, topic), partition, () => new Set<number>()).add(commitId);
  }

  /**
   * Commit `commitId` is durable (or failed): it takes effect if it succeeded and the partition's
   * offset was not deleted meanwhile. Appends complete in order, so the latest commit wins.
   */
  endCommit(topic: string, partition: number, commitId: number, offset: OffsetAndMetadata | undefined): void {
    const partitions = this.inFlight.get(topic);
    const ids = partitions?.get(partition);
    if (partitions === undefined || ids === undefined || !ids.delete(commitId)) return;
    if (ids.size === 0) {
      partitions.delete(partition);
      if (partitions.size === 0) this.inFlight.delete(topic);
    }
    if (offset !== undefined) partitionsOf(this.committed, topic).set(partition, offset);
  }

  /**
   * Forgets the partitions' offsets, committed or in flight (an in-flight commit then has no effect),
   * and returns those that had either: each needs a tombstone, after any commit record in the log.
   */
  remove(partitions: Iterable<TopicPartition>): TopicPartition[] {
    const removed: TopicPartition[] = [];
    for (const tp of partitions) {
      const hadCommitted = deleteNested(this.committed, tp);
      const hadInFlight = deleteNested(this.inFlight, tp);
      let hadPending = false;
      for (const [producerId, topics] of this.pendingTxn) {
        if (deleteNested(topics, tp)) hadPending = true;
        if (topics.size === 0) this.pendingTxn.delete(producerId);
      }
      if (hadCommitted || hadInFlight || hadPending) removed.push(tp);
    }
    return removed;
  }

  /** Every partition with an offset, committed or in flight. */
  partitions(): TopicPartition[] {
    const seen = new Map<string, Set<number>>();
    for (const source of [this.committed, this.inFlight, ...this.pendingTxn.values()] as Array<Map<string, Map<number, unknown>>>) {
      for (const [topic, partitions] of source) {
        for (const p of partitions.keys()) getOrCreate(seen, topic, () => new Set<number>()).add(p);
      }
    }
    const out: TopicPartition[] = [];
    for (const [topic, ps] of seen) for (const partition of ps) out.push({ topic, partition });
    return out;
  }

  /**
   * Offsets past their retention, leaving out subscribed topics and partitions with a commit in
   * flight. An offset with its own expire timestamp keeps it; the others expire `retentionMs` after
   * `since(offset)` (Kafka: GroupMetadata.removeExpiredOffsets).
   */
  expired(
    nowMs: number,
    retentionMs: number,
    since: (offset: OffsetAndMetadata) => number,
    keepTopics: ReadonlySet<string>,
  ): TopicPartition[] {
    const out: TopicPartition[] = [];
    for (const [tp, offset] of this.all()) {
      if (keepTopics.has(tp.topic) || this.isInFlight(tp.topic, tp.partition) || this.hasPendingTxn(tp.topic, tp.partition)) continue;
      const due =
        offset.expireTimestampMs >= 0 ? nowMs >= offset.expireTimestampMs : nowMs - since(offset) >= retentionMs;
      if (due) out.push(tp);
    }
    return out;
  }
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

function partitionsOf<V>(map: Map<string, Map<number, V>>, topic: string): Map<number, V> {
  return getOrCreate(map, topic, () => new Map<number, V>());
}

function deleteNested(map: Map<string, Map<number, unknown>>, tp: TopicPartition): boolean {
  const partitions = map.get(tp.topic);
  if (!partitions?.delete(tp.partition)) return false;
  if (partitions.size === 0) map.delete(tp.topic);
  return true;
}
