// Producer id allocation: blocks claimed durably before use, never reused across restarts, one claim at a
// time under concurrent requests; the file a broker alone claims in, and Kafka's block JSON.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import {
  blockAfter,
  encodeBlockJson,
  FileBlockSource,
  parseBlockJson,
  PRODUCER_ID_BLOCK_FILE,
  PRODUCER_ID_BLOCK_SIZE,
  ProducerIdAllocator,
  type BlockSource,
} from '../../../src/kafka/producers/producer-ids.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skein-pid-'));
  dirs.push(dir);
  return dir;
}

test('ids run through a block, then the next block is claimed', async () => {
  let claims = 0;
  const source: BlockSource = { claim: async () => blockAfter(claims++ * PRODUCER_ID_BLOCK_SIZE - 1) };
  const ids = new ProducerIdAllocator(source);
  const got: number[] = [];
  for (let i = 0; i < PRODUCER_ID_BLOCK_SIZE + 2; i++) got.push(await ids.next());
  expect(new Set(got).size).toBe(got.length);
  expect(got.slice(0, 2)).toEqual([0, 1]);
  expect(claims).toBe(2);
});

test('concurrent requests share one claim', async () => {
  let claims = 0;
  const source: BlockSource = {
    claim: () => new Promise((resolve) => setTimeout(() => resolve(blockAfter(claims++ * PRODUCER_ID_BLOCK_SIZE - 1)), 5)),
  };
  const ids = new ProducerIdAllocator(source);
  const got = await Promise.all(Array.from({ length: 50 }, () => ids.next()));
  expect(claims).toBe(1);
  expect(new Set(got).size).toBe(50);
});

test('a failed claim fails the request and the next one claims again', async () => {
  let fail = true;
  const ids = new ProducerIdAllocator({ claim: async () => (fail ? Promise.reject(new Error('zk down')) : blockAfter(-1)) });
  await expect(ids.next()).rejects.toThrow('zk down');
  fail = false;
  expect(await ids.next()).toBe(0);
});

test('the file source never hands out an id twice across restarts, skipping the unused rest of a block', async () => {
  const dir = await tempDir();
  const first = new ProducerIdAllocator(new FileBlockSource(dir));
  expect([await first.next(), await first.next()]).toEqual([0, 1]);
  expect(parseBlockJson(await readFile(join(dir, PRODUCER_ID_BLOCK_FILE)), 'file')).toEqual({ first: 0, last: 999 });
  const restarted = new ProducerIdAllocator(new FileBlockSource(dir));
  expect(await restarted.next()).toBe(PRODUCER_ID_BLOCK_SIZE);
});

test('a claim file that does not parse stops allocation rather than risk reuse', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, PRODUCER_ID_BLOCK_FILE), 'garbage');
  await expect(new ProducerIdAllocator(new FileBlockSource(dir)).next()).rejects.toThrow(/producer id block JSON/);
});

test("block JSON is Kafka's: ids as strings, the claiming broker named", () => {
  const json = JSON.parse(encodeBlockJson({ first: 1000, last: 1999 }, 3).toString());
  expect(json).toEqual({ version: 1, broker: 3, block_start: '1000', block_end: '1999' });
  expect(parseBlockJson(Buffer.from('{"version":1,"broker":0,"block_start":"0","block_end":"999"}'), 'znode')).toEqual({ first: 0, last: 999 });
  expect(() => parseBlockJson(Buffer.from('{"version":1}'), 'znode')).toThrow(/block_start/);
});
