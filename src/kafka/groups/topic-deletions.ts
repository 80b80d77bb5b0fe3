// Telling the group coordinator which partitions went away when a topic is deleted, so committed offsets
// of a deleted topic are removed as Kafka removes them (GroupCoordinator.onPartitionsDeleted). Every
// deletion, whichever API asked for it, ends in TopicStore.delete, so the store is where it is seen.
import type { TopicRecord, TopicStore } from '../metadata/topic-store.js';
import type { TopicPartition } from './group-offsets.js';

export type PartitionsDeletedListener = (partitions: TopicPartition[]) => void;

/** A TopicStore that reports each deleted topic's partitions to its listeners once the store forgot it. */
export class DeletionReportingTopicStore implements TopicStore {
  private readonly listeners = new Set<PartitionsDeletedListener>();

  constructor(private readonly inner: TopicStore) {}

  onPartitionsDeleted(listener: PartitionsDeletedListener): void {
    this.listeners.add(listener);
  }

  list(): TopicRecord[] {
    return this.inner.list();
  }

  get(name: string): TopicRecord | undefined {
    return this.inner.get(name);
  }

  create(topic: TopicRecord): Promise<void> {
    return this.inner.create(topic);
  }

  delete(name: string): Promise<void> {
    const partitionCount = this.inner.get(name)?.replicas.length ?? 0;
    const persisted = this.inner.delete(name);
    const partitions = Array.from({ length: partitionCount }, (_, partition) => ({ topic: name, partition }));
    if (partitions.length > 0) for (const listener of this.listeners) listener(partitions);
    return persisted;
  }

  addPartitions(name: string, replicas: number[][]): Promise<void> {
    return this.inner.addPartitions(name, replicas);
  }

  setConfigs(name: string, configs: Record<string, string>): Promise<void> {
    return this.inner.setConfigs(name, configs);
  }
}
