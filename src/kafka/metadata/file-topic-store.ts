import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-file.js';
import type { TopicRecord, TopicStore } from './topic-store.js';

export const TOPICS_FILE_NAME = 'topics.json';
const FORMAT_VERSION = 1;

interface FileShape {
  version: number;
  topics: TopicRecord[];
}

/** Topic definitions in `<dataDir>/topics.json`, rewritten atomically on every change. */
export class FileTopicStore implements TopicStore {
  private readonly topics = new Map<string, TopicRecord>();
  private readonly path: string;
  /** Serializes writes so a later change never lands before an earlier one. */
  private writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.path = join(dataDir, TOPICS_FILE_NAME);
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const parsed = JSON.parse(text) as FileShape;
    if (parsed.version !== FORMAT_VERSION) {
      throw new Error(`${this.path}: unsupported format version ${parsed.version}`);
    }
    for (const t of parsed.topics) this.topics.set(t.name, t);
  }

  list(): TopicRecord[] {
    return [...this.topics.values()];
  }

  get(name: string): TopicRecord | undefined {
    return this.topics.get(name);
  }

  create(topic: TopicRecord): Promise<void> {
    if (this.topics.has(topic.name)) throw new Error(`topic ${topic.name} exists`);
    this.topics.set(topic.name, topic);
    return this.persist();
  }

  delete(name: string): Promise<void> {
    this.topics.delete(name);
    return this.persist();
  }

  addPartitions(name: string, replicas: number[][]): Promise<void> {
    const topic = this.require(name);
    this.topics.set(name, { ...topic, replicas: [...topic.replicas, ...replicas] });
    return this.persist();
  }

  setConfigs(name: string, configs: Record<string, string>): Promise<void> {
    const topic = this.require(name);
    this.topics.set(name, { ...topic, configs: { ...configs } });
    return this.persist();
  }

  private require(name: string): TopicRecord {
    const topic = this.topics.get(name);
    if (!topic) throw new Error(`no topic ${name}`);
    return topic;
  }

  /**
   * Writes every topic as the map holds it now. A write that fails (a full disk) rejects its caller but
   * not the writes queued after it: each writes the whole map, so the next to succeed makes the failed
   * change durable too.
   */
  private persist(): Promise<void> {
    const snapshot: FileShape = { version: FORMAT_VERSION, topics: this.list() };
    const data = JSON.stringify(snapshot, null, 1);
    const write = this.writing.catch(() => undefined).then(() => writeFileAtomic(this.path, data));
    this.writing = write;
    return write;
  }
}
