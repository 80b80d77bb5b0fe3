// A seeded simulation of the ZooKeeper request core under a logical clock: clients open sessions,
// write (creates, ephemerals, setData, deletes, closes) and ping, or fall silent, while the sink
// acknowledges late and in bursts and the clock ticks. Checked on every step: each write is answered
// exactly once and each session's answers come in request order; zxids are applied one after another;
// a silent session expires neither before its deadline nor later than the tick after it, whatever the
// wall clock does, and its
// ephemerals go with it; session ids are unique and carry the server id. At the end, replaying what the
// sink received on a fresh tree gives the same tree.
import { describe, expect, test } from 'vitest';
import { Reader, Writer } from '../../../protocol/bytes.js';
import { OpCode } from '../../../protocol/zookeeper/codes.js';
import type { JuteType } from '../../../protocol/zookeeper/jute.js';
import { CreateRequest, DeleteRequest, SetDataRequest } from '../../../protocol/zookeeper/records.js';
import type { Transaction } from '../../../protocol/zookeeper/txn.js';
import { DataTree } from '../../../src/znode/data-tree.js';
import { RequestCore, serverIdOf } from '../../../src/zookeeper/request-core.js';
import { Rng } from '../harness/rng.js';

const ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const TICK_MS = 500;
const SERVER_ID = 3;
const STEPS = 3000;
const PATHS = ['/a', '/b', '/c', '/a/x', '/b/y'];

interface Client {
  id: bigint;
  timeout: number;
  lastTouch: number;
  silent: boolean;
  closed: boolean;
  cxid: number;
  answered: number[];
}

function encode<T>(type: Pick<JuteType<T>, 'write'>, value: T): Reader {
  const w = new Writer();
  type.write(w, value);
  return new Reader(w.toBuffer());
}

function run(seed: number): { applied: number; expired: number; writes: number } {
  const rng = new Rng(seed);
  const tree = new DataTree();
  const appended: Transaction[] = [];
  let committedUpTo = 0;
  let now = rng.int(0, 1e12);
  const core = new RequestCore({
    tree,
    sink: { append: (txn) => void appended.push(txn) },
    config: { serverId: SERVER_ID, tickTime: TICK_MS, extendedTypesEnabled: true, reconfigEnabled: false, enforceQuota: false },
    now: { wall: now, mono: now },
    trigger: () => undefined,
  });
  const clients: Client[] = [];
  const ids = new Set<bigint>();
  let lastApplied = 0n;
  let writes = 0;
  let expiredCount = 0;
  let stepMs = 0;
  // The wall clock sometimes steps by up to an hour either way; deadlines follow the monotonic one.
  let wallOffset = 0;
  const clock = () => ({ wall: now + wallOffset, mono: now });

  const checkApplied = () => {
    expect(tree.lastProcessedZxid >= lastApplied).toBe(true);
    lastApplied = tree.lastProcessedZxid;
  };

  const write = (c: Client, type: number, body: Reader) => {
    const cxid = ++c.cxid;
    writes++;
    core.touch(c.id, now);
    if (!c.silent) c.lastTouch = now;
    let answers = 0;
    core.write({ sessionId: c.id, cxid, type, auth: [] }, body, clock().wall, () => {
      answers++;
      expect(answers, `write ${cxid} of ${c.id} answered once`).toBe(1);
      c.answered.push(cxid);
    });
  };

  for (let step = 0; step < STEPS; step++) {
    stepMs = rng.int(1, 200);
    now += stepMs;
    if (rng.chance(0.01)) wallOffset += rng.int(-3_600_000, 3_600_000);
    const live = clients.filter((c) => !c.silent && !c.closed);
    const r = rng.next();
    if (r < 0.08 || live.length === 0) {
      const timeout = rng.pick([1000, 2000, 4000]);
      const id = core.openSession(timeout, clock(), () => undefined);
      expect(ids.has(id)).toBe(false);
      expect(serverIdOf(id)).toBe(SERVER_ID);
      ids.add(id);
      clients.push({ id, timeout, lastTouch: now, silent: false, closed: false, cxid: 0, answered: [] });
    } else if (r < 0.55) {
      const c = rng.pick(live);
      const path = rng.pick(PATHS);
      const kind = rng.int(0, 3);
      if (kind === 0) write(c, OpCode.create, encode(CreateRequest, { path, data: Buffer.from('v'), acl: ACL, flags: rng.int(0, 1) }));
      else if (kind === 1) write(c, OpCode.setData, encode(SetDataRequest, { path, data: Buffer.from(`${step}`), version: -1 }));
      else if (kind === 2) write(c, OpCode.delete, encode(DeleteRequest, { path, version: -1 }));
      else if (rng.chance(0.2)) {
        write(c, OpCode.closeSession, new Reader(Buffer.alloc(0)));
        c.closed = true;
      }
    } else if (r < 0.6) {
      rng.pick(live).silent = true;
    }
    // Clients that are not silent ping a third of their timeout after their last request, as
    // ZooKeeper's clients do, so only silent ones may expire.
    for (const c of live) {
      if (!c.closed && now - c.lastTouch >= c.timeout / 3) {
        core.touch(c.id, now);
        c.lastTouch = now;
      }
    }
    // The sink acknowledges late, sometimes several at once.
    if (appended.length > committedUpTo && rng.chance(0.4)) {
      committedUpTo = rng.int(committedUpTo + 1, appended.length);
      core.committed(appended[committedUpTo - 1]!.zxid);
      checkApplied();
    }
    for (const s of core.tick(clock())) {
      expiredCount++;
      const c = clients.find((x) => x.id === s.id)!;
      const deadline = c.lastTouch + c.timeout;
      expect(now, `session ${s.id} expired before its deadline`).toBeGreaterThanOrEqual(deadline);
      expect(now, `session ${s.id} expired late`).toBeLessThan(deadline + TICK_MS + stepMs);
      expect(c.silent || c.closed, `session ${s.id} expired while pinging`).toBe(true);
      c.closed = true;
    }
  }
  core.committed(appended.at(-1)!.zxid);
  checkApplied();
  expect(core.outstanding).toBe(0);
  // Numbered one after another, in the order the sink got them.
  appended.forEach((t, i) => expect(t.zxid).toBe(BigInt(i + 1)));
  for (const c of clients) {
    expect(c.answered, `answers of ${c.id}`).toEqual(Array.from({ length: c.cxid }, (_, i) => i + 1));
    if (c.closed) {
      expect(tree.sessions.has(c.id)).toBe(false);
      expect(tree.ephemeralsOf(c.id).size).toBe(0);
    }
  }
  const replayed = new DataTree();
  for (const t of appended) replayed.apply(t);
  const dump = (t: DataTree) => [...t.entries()].map(([p, n]) => [p, n.data?.toString(), n.stat()]).sort();
  expect(dump(replayed)).toEqual(dump(tree));
  expect([...replayed.sessions].sort()).toEqual([...tree.sessions].sort());
  return { applied: appended.length, expired: expiredCount, writes };
}

const SEEDS = Array.from({ length: Number(process.env.SIM_SEEDS ?? 20) }, (_, i) => i + 1);

describe('request core simulation', () => {
  test.each(SEEDS)('seed %i: answers in order, expiry on time, the log replays to the same tree', (seed) => {
    const result = run(seed);
    expect(result.writes).toBeGreaterThan(500);
    expect(result.expired).toBeGreaterThan(0);
  });

  test('the same seed gives the same run', () => {
    expect(run(42)).toEqual(run(42));
  });
});
