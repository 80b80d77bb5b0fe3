// Child process of raft-storage-crash.test.ts: a one-voter Raft ensemble on the file storage, proposing
// entries as fast as the storage makes them durable and compacting every COMPACT_EVERY applied entries.
// With one voter an entry commits once it is durable here, so every applied entry is acknowledged; the
// parent kills this process with SIGKILL at a random moment and checks that each printed entry survived.
//
// argv: <dir> <round>
// stdout: "OPEN <durable term>", "LEADER <term>" once this server leads (its vote is then durable),
//         "C <index> <id>" for every applied entry (id 0 for a new leader's no-op).
import { consensusConfig } from '../../../dist/src/consensus/config.js';
import { RaftNode } from '../../../dist/src/consensus/raft.js';
import { createLogger } from '../../../dist/src/logger.js';
import { openRaftStorage } from '../../../dist/src/zookeeper/quorum/raft-storage.js';

const [dir, roundArg] = process.argv.slice(2);
const round = Number(roundArg);
const COMPACT_EVERY = 50;
const OUTSTANDING = 64;
const SEGMENT_BYTES = 32 * 1024;

/** The state machine: the last applied index and a hash over every (index, id) applied. */
const app = { index: 0, hash: 0 };
let node;
const storage = await openRaftStorage(dir, {
  log: createLogger('silent'),
  segmentBytes: SEGMENT_BYTES,
  onDurable: (seq) => {
    node.persisted(seq);
    pump();
  },
  onFailure: (err) => {
    console.error(err);
    process.exit(74);
  },
});
const durable = storage.durable;
if (durable.snapshot) Object.assign(app, JSON.parse(Buffer.from(durable.snapshot.data).toString()));
node = new RaftNode({
  config: consensusConfig({ id: 1, membership: { voters: [1], learners: [] } }),
  random: (n) => Math.floor(Math.random() * n),
  durable,
});
process.stdout.write(`OPEN ${durable.hardState.term}\n`);

let nextId = round * 1_000_000 + 1;
let leading = false;

function hashStep(h, index, id) {
  return Math.imul(Math.imul(h ^ index, 16_777_619) ^ id, 16_777_619) >>> 0;
}

function pump() {
  for (let i = 0; i < 100 && node.hasReady(); i++) {
    const rd = node.ready();
    if (rd.persist) storage.write(rd.persist);
    for (const e of rd.commit) {
      const id = e.data && e.data.length >= 4 ? Buffer.from(e.data.buffer, e.data.byteOffset, e.data.length).readUInt32BE(0) : 0;
      app.hash = hashStep(app.hash, e.index, id);
      app.index = e.index;
      process.stdout.write(`C ${e.index} ${id}\n`);
    }
    if (app.index - node.status().snapshotIndex >= COMPACT_EVERY) node.compact(app.index, Buffer.from(JSON.stringify(app)));
  }
}

function propose() {
  const s = node.status();
  if (s.role === 'leader') {
    if (!leading) {
      leading = true;
      process.stdout.write(`LEADER ${s.term}\n`);
    }
    for (let k = 0; k < 8 && node.status().lastIndex - node.status().commit < OUTSTANDING; k++) {
      const data = Buffer.alloc(4 + ((nextId * 7919) % 1500), nextId & 0xff);
      data.writeUInt32BE(nextId++, 0);
      node.propose(data);
    }
    pump();
  }
  setImmediate(propose);
}

setInterval(() => {
  node.tick();
  pump();
}, 1);
propose();
