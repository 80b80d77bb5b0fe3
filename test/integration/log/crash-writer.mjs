// Child process of crash.test.ts: appends batches to one partition as fast as it can from several
// concurrent producers, and prints each record once an fsync covers it. The parent kills it with
// SIGKILL at a random moment and checks every printed record survived. Every EPOCH_IDS ids the leader
// epoch goes up, so the leader-epoch-checkpoint file changes at every periodic checkpoint.
//
// argv: <dataDir> <firstId> <templatesHex,comma-separated> <idPositions,comma-separated>
// stdout: "OPEN <logEnd>", "FIRST <offset>", then "ACK <offset> <id>" lines.
import { computeBatchCrc, CRC_AT } from '../../../dist/protocol/kafka/records/batch-header.js';
import { createLogger } from '../../../dist/src/logger.js';
import { DEFAULT_LOG_CONFIG } from '../../../dist/src/log/log-config.js';
import { LogManager } from '../../../dist/src/log/log-manager.js';

const [dir, firstId, templatesHex, positions] = process.argv.slice(2);
const templates = templatesHex.split(',').map((h) => Buffer.from(h, 'hex'));
const idAt = positions.split(',').map(Number);
const ID_DIGITS = 12;
const PRODUCERS = 4;
const EPOCH_IDS = 40;

const config = { ...DEFAULT_LOG_CONFIG, segmentBytes: 256 * 1024, indexIntervalBytes: 1024 };
const manager = await LogManager.open({
  dirs: [dir],
  configFor: () => config,
  logger: createLogger('silent'),
  checkpointIntervalMs: 40,
  retentionCheckIntervalMs: 2 ** 31 - 1,
});
const log = await manager.create('crash', 0);
process.stdout.write(`OPEN ${log.logEndOffset}\n`);

let nextId = Number(firstId);
let first = true;

function batchFor(id) {
  const t = Math.floor(Math.random() * templates.length);
  const buf = Buffer.from(templates[t]);
  buf.write(String(id).padStart(ID_DIGITS, '0'), idAt[t], 'latin1');
  buf.writeUInt32BE(computeBatchCrc(buf, 0, buf.length), CRC_AT);
  return buf;
}

async function producer() {
  for (;;) {
    const n = 1 + Math.floor(Math.random() * 6);
    const ids = Array.from({ length: n }, () => nextId++);
    const batches = ids.map(batchFor);
    let base;
    const epochOf = (id) => ({ leaderEpoch: Math.floor(id / EPOCH_IDS) });
    if (Math.random() < 0.5) {
      base = log.append(Buffer.concat(batches), Date.now(), epochOf(ids[0])).baseOffset;
    } else {
      base = batches.map((b, i) => log.append(b, Date.now(), epochOf(ids[i])).baseOffset)[0];
    }
    if (first) {
      first = false;
      process.stdout.write(`FIRST ${base}\n`);
    }
    await log.waitDurable(base + n - 1);
    process.stdout.write(ids.map((id, i) => `ACK ${base + i} ${id}\n`).join(''));
  }
}

await Promise.all(Array.from({ length: PRODUCERS }, producer));
