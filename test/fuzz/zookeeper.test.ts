// Fuzzing the ZooKeeper listener: after a valid ConnectRequest, valid requests of every client opcode
// (jute records, multi and multiRead, auth, setWatches, ...), then mutated (bits, bytes, lengths,
// truncation, extension, xid and opcode), pipelined at a running server; and mutated ConnectRequests
// and size prefixes. Property: every request gets a reply with its xid whose body is the opcode's
// record (any error code is fine), or its connection is closed with a logged reason (or after a reply,
// as closeSession and a failed auth do); the server never stalls. Afterwards a fresh
// node-zookeeper-client session sees the znodes made before the run unchanged, and the server serves.
//
// FUZZ_FRAMES (default 20,000) sets the frames sent, FUZZ_SEED replays a run; see README, "Tests".
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import zookeeper, { type Client } from 'node-zookeeper-client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Reader, Writer } from '../../protocol/bytes.js';
import { OpCode, Xid } from '../../protocol/zookeeper/codes.js';
import { PathWatchRequest, ReplyHeader } from '../../protocol/zookeeper/records.js';
import { sizePrefixed } from '../helpers/raw-exchange.js';
import { call, nodeClient, startTestServer, statNumbers, type StatNumbers, type TestServer } from '../integration/zookeeper/harness.js';
import { briefly, FUZZ_FRAMES, FUZZ_SEED, FRAMES_PER_RUN, fuzzParameters, fuzzTimeoutMs, mib, RETAINED_GROWTH_LIMIT, RSS_GROWTH_LIMIT, retainedBytes } from './budget.js';
import { closeLog } from './close-log.js';
import { badSizePrefixArb } from './mutations.js';
import { misframe, newTally, sendMisframed, sendPipelined, type Wire } from './pipeline.js';
import { connectRequest, REQUEST_HEADER_BYTES, replyRecordOf, zkConnectArb, zkFrameArb } from './zookeeper-frames.js';

const { ACL, Id, Permission, CreateMode } = zookeeper;

/** Made before the run, readable by anyone, writable only by KEEPER: the run may not change them. */
const KEEP = '/keep';
const KEEPER = 'keeper:secret';
const KEEP_CHILDREN = 20;
/** How long a fuzz connection's session outlives it; short, so the run does not pile up sessions. */
const SESSION_MS = 1_000;

const closes = closeLog();
let server: TestServer;
const kept = new Map<string, { data: Buffer; stat: StatNumbers }>();

function digestId(userPassword: string): string {
  const [user] = userPassword.split(':');
  return `${user}:${createHash('sha1').update(userPassword).digest('base64')}`;
}

async function readKept(client: Client): Promise<Map<string, { data: Buffer; stat: StatNumbers }>> {
  const out = new Map<string, { data: Buffer; stat: StatNumbers }>();
  const children = await call<string[]>((cb) => client.getChildren(KEEP, undefined, cb));
  for (const path of [KEEP, ...children.sort().map((c) => `${KEEP}/${c}`)]) {
    const [data, stat] = await new Promise<[Buffer, zookeeper.Stat]>((resolve, reject) =>
      client.getData(path, undefined, (err, d, s) => (err ? reject(err) : resolve([d, s]))),
    );
    out.set(path, { data: Buffer.from(data ?? []), stat: statNumbers(stat) });
  }
  return out;
}

beforeAll(async () => {
  server = await startTestServer({ minSessionTimeout: 200, maxSessionTimeout: 60_000 }, closes.log);
  const owner = await nodeClient(server.port);
  owner.addAuthInfo('digest', Buffer.from(KEEPER));
  const acl = [new ACL(Permission.READ, new Id('world', 'anyone')), new ACL(Permission.ALL, new Id('digest', digestId(KEEPER)))];
  await call<string>((cb) => owner.create(KEEP, Buffer.from('kept'), acl, CreateMode.PERSISTENT, cb));
  for (let i = 0; i < KEEP_CHILDREN; i++) {
    await call<string>((cb) => owner.create(`${KEEP}/${i}`, Buffer.from(`child ${i} `.repeat(i + 1)), acl, CreateMode.PERSISTENT, cb));
  }
  await call<string>((cb) => owner.create('/fuzz', Buffer.from('fuzz'), ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, cb));
  for (const [path, node] of await readKept(owner)) kept.set(path, node);
  owner.close();
});

afterAll(async () => {
  await server?.destroy();
});

const PROBE_BODY = (() => {
  const w = new Writer(32);
  PathWatchRequest.write(w, { path: '/', watch: false });
  return w.toBuffer();
})();

const zkWire: Wire = {
  preamble: () => sizePrefixed(connectRequest(SESSION_MS)),
  probe(id) {
    const head = Buffer.alloc(REQUEST_HEADER_BYTES);
    head.writeInt32BE(id, 0);
    head.writeInt32BE(OpCode.exists, 4);
    return sizePrefixed(Buffer.concat([head, PROBE_BODY]));
  },
  requestId: (frame) => (frame.length >= 4 ? frame.readInt32BE(0) : undefined),
  replyId(reply) {
    if (reply.length < 4) return Number.NaN;
    const xid = reply.readInt32BE(0);
    return xid === Xid.notification ? undefined : xid;
  },
  checkReply(frame, reply) {
    const type = frame.readInt32BE(4);
    try {
      const r = new Reader(reply);
      const { err } = ReplyHeader.read(r);
      if (err === 0) {
        const record = replyRecordOf(type);
        if (record === undefined) return `success for opcode ${type}`;
        record?.read(r);
      }
      if (r.remaining !== 0) return `${r.remaining} bytes after the reply to opcode ${type} (err ${err})`;
    } catch (err) {
      return `reply to opcode ${type} does not decode: ${(err as Error).message}`;
    }
    return undefined;
  },
  mayGoUnanswered: () => false,
};

/** One property run: mutated requests pipelined, then a mutated handshake or size prefix alone. */
const runArb = fc.record({
  frames: fc.array(zkFrameArb, { minLength: FRAMES_PER_RUN - 1, maxLength: FRAMES_PER_RUN - 1 }),
  misframed: fc.oneof(
    zkConnectArb.map((connect) => ({ connect })),
    fc.record({ frame: zkFrameArb, prefix: badSizePrefixArb }),
  ),
}).map((run) => briefly(run, `${run.frames.length} requests and one misframed`));

const handshakeWire: Wire = { ...zkWire, preamble: undefined };

test(`${FUZZ_FRAMES} mutated requests of every opcode (seed ${FUZZ_SEED})`, { timeout: fuzzTimeoutMs(FUZZ_FRAMES, 250) }, async () => {
  const tally = newTally();
  const rssBefore = process.memoryUsage().rss;
  const retainedBefore = retainedBytes();
  const started = Date.now();
  const address = `127.0.0.1:${server.port}`;
  await fc.assert(
    fc.asyncProperty(runArb, async ({ frames, misframed }) => {
      const closesBefore = closes.closes;
      await sendPipelined(address, frames, zkWire, tally);
      // Every close the fuzzer saw has its log line (a frame the server closed for says why).
      const unlogged = tally.closers.length - (closes.closes - closesBefore);
      expect(unlogged, `closed without a log line by one of ${tally.closers.map((f) => f.toString('hex')).join(' ')}`).toBeLessThanOrEqual(0);
      expect(Object.fromEntries(closes.faults)).toEqual({});
      if ('connect' in misframed) await sendMisframed(address, sizePrefixed(misframed.connect), handshakeWire, tally);
      else await sendMisframed(address, misframe(misframed.frame, misframed.prefix), zkWire, tally);
    }),
    fuzzParameters(FUZZ_FRAMES),
  );
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `zookeeper fuzz: ${tally.frames} frames in ${seconds.toFixed(1)} s (${Math.round(tally.frames / seconds)}/s), ` +
      `${tally.answered} answered, ${tally.closedByServer} closed by the server, ${tally.closedAfterReply} closed after a reply; ` +
      `seed ${FUZZ_SEED}; close reasons: ${JSON.stringify(Object.fromEntries(closes.reasons))}`,
  );
  expect(tally.frames).toBeGreaterThanOrEqual(FUZZ_FRAMES);

  const client = await nodeClient(server.port);
  try {
    expect(await readKept(client)).toEqual(kept);
    // The run may legally have set the root's ACL (world:anyone holds ADMIN there), so the write that
    // shows the server still serves goes under KEEP, which only KEEPER may change.
    client.addAuthInfo('digest', Buffer.from(KEEPER));
    await call<string>((cb) => client.create(`${KEEP}/after`, Buffer.from('after the fuzz'), ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, cb));
    const data = await new Promise<Buffer>((resolve, reject) => client.getData(`${KEEP}/after`, undefined, (err, d) => (err ? reject(err) : resolve(d))));
    expect(data.toString()).toBe('after the fuzz');
  } finally {
    client.close();
  }
  const growth = process.memoryUsage().rss - rssBefore;
  const retained = retainedBytes() - retainedBefore;
  console.log(`zookeeper fuzz: RSS grew by ${mib(growth)}, memory held after a full GC by ${mib(retained)}`);
  expect(growth).toBeLessThan(RSS_GROWTH_LIMIT);
  expect(retained).toBeLessThan(RETAINED_GROWTH_LIMIT);
});
