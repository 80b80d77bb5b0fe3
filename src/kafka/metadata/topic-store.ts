// Where topic definitions live: a file in the data directory (the broker runs standalone). Reads are
// synchronous (every request consults them); writes resolve once durable.

export interface TopicRecord {
  name: string;
  /** 32 hex digits; Metadata v10+ and Fetch v13+ carry it. */
  topicId: string;
  /** Replica broker ids per partition, the preferred leader first. */
  replicas: number[][];
  /** Topic-level config overrides; absent keys fall back to the broker's defaults. */
  configs: Record<string, string>;
}

export interface TopicStore {
  list(): TopicRecord[];
  get(name: string): TopicRecord | undefined;
  create(topic: TopicRecord): Promise<void>;
  delete(name: string): Promise<void>;
  /** Appends partitions (CreatePartitions); existing ones are unchanged. */
  addPartitions(name: string, replicas: number[][]): Promise<void>;
  /** Replaces the topic's config overrides. */
  setConfigs(name: string, configs: Record<string, string>): Promise<void>;
}
