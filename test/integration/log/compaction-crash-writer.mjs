// Child process of compaction-crash.test.ts: appends keyed records (some tombstones) to a compacted
// partition from several concurrent producers while the LogManager's cleaner compacts it on its own
// timer, and prints each record once an fsync covers it. The parent kills it with SIGKILL at random.
//
// argv: <dataDir> <firstId> <keys>
// stdout: "OPEN <logEnd>", then "ACK <offset> <id>" lines (the key is id % keys; every 7th id a tombstone).
import { buildRecordBatch } from '../../../dist/protocol/kafka/records/batch-builder.js';
import { createLogger } from '../../../dist/src/logger.js';
import { DEFAULT_CLEANER_CONFIG } from '../../../dist/src/log/cleaner/cleaner-config.js';
import { DEFAULT_LOG_CONFIG } from '../../../dist/src/log/log-config.js';
import { LogManager } from '../../../dist/src/log/log-manager.js';

const [dir, firstId, keys] = process.argv.slice(2);
const PRODUCERS = 4;

const config = { ...DEFAULT_LOG_CONFIG, compact: true, delete: false, segmentBytes: 4096, indexIntervalBytes: 256, minCleanableDirtyRatio: 0.01 };
const manager = await LogManager.open({
  dirs: [dir],
  configFor: () => config,
  logger: createLogger('silent'),
  checkpointIntervalMs: 40,
  cleaner: { ...DEFAULT_CLEANER_CONFIG, backoffMs: 5, ioBufferBytes: 4096 },
});
const log = await manager.create('compacted', 0);
process.stdout.write(`OPEN ${log.logEndOffset}\n`);

let nextId = Number(firstId);

function record(id) {
  const value = id % 7 === 0 ? null : Buffer.from(`id:${String(id).padStart(12, '0')}:${'v'.repeat(id % 50)}`);
  return { key: Buffer.from(`k${id % Number(keys)}`), value, timestamp: Date.now() };
}

async function producer() {
  for (;;) {
    const n = 1 + Math.floor(Math.random() * 4);
    const ids = Array.from({ length: n }, () => nextId++);
    const { baseOffset } = log.append(buildRecordBatch(ids.map(record)), Date.now());
    await log.waitDurable(baseOffset + n - 1);
    process.stdout.write(ids.map((id, i) => `ACK ${baseOffset + i} ${id}\n`).join(''));
  }
}

await Promise.all(Array.from({ length: PRODUCERS }, producer));
