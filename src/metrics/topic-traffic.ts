// Per-topic traffic counters bumped on the produce and fetch paths. A topic's counts are one small object
// made the first time the topic is seen; after that a request only adds to its fields, so counting costs
// no allocation on the hot path. /metrics reads them at scrape time.

export interface TopicCounts {
  /** Records appended by producers (Kafka's MessagesInPerSec); replication appends are not counted. */
  messagesIn: number;
  /** Record batch bytes appended by producers (BytesInPerSec). */
  bytesIn: number;
  /** Record bytes answered to consumers' fetches (BytesOutPerSec); followers' fetches are not counted. */
  bytesOut: number;
  /** Produce partition requests refused with an error (FailedProduceRequestsPerSec). */
  failedProduce: number;
}

export class TopicTraffic {
  private readonly byTopic = new Map<string, TopicCounts>();

  of(topic: string): TopicCounts {
    let counts = this.byTopic.get(topic);
    if (counts === undefined) {
      counts = { messagesIn: 0, bytesIn: 0, bytesOut: 0, failedProduce: 0 };
      this.byTopic.set(topic, counts);
    }
    return counts;
  }

  /**
   * The counted topics, after dropping those `exists` no longer knows: Kafka removes a deleted topic's
   * metrics, and dropping them here keeps the map as small as the topic list.
   */
  live(exists: (topic: string) => boolean): IterableIterator<[string, TopicCounts]> {
    for (const topic of this.byTopic.keys()) if (!exists(topic)) this.byTopic.delete(topic);
    return this.byTopic.entries();
  }
}
