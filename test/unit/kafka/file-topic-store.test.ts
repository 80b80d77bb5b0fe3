// topics.json on a disk that refuses a write (injected through the file layer): the change that could
// not be written fails, the store keeps taking changes, and the next write that succeeds carries the
// failed one too, since every write holds the whole map.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { useFileLayer } from '../../../src/fs/file-layer.js';
import { DiskFullError } from '../../../src/fs/write-all.js';
import { FileTopicStore } from '../../../src/kafka/metadata/file-topic-store.js';
import { FaultyFiles } from '../../helpers/faulty-files.js';

let dir: string;
let restore: () => void;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skein-topics-'));
});
afterEach(async () => {
  restore();
  await rm(dir, { recursive: true, force: true });
});

const topic = (name: string) => ({ name, topicId: name.padEnd(32, '0'), replicas: [[0]], configs: {} });

it('writes again once the disk has room, carrying the change that failed', async () => {
  const files = new FaultyFiles((path) => path.endsWith('topics.json.tmp'));
  restore = useFileLayer(files);
  const store = new FileTopicStore(dir);
  await store.create(topic('a'));
  files.fill();
  await expect(store.create(topic('b'))).rejects.toBeInstanceOf(DiskFullError);
  files.free();
  await store.create(topic('c'));
  expect(new FileTopicStore(dir).list().map((t) => t.name)).toEqual(['a', 'b', 'c']);
});
