import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../../../protocol/bytes.js';
import { ErrorCode, OpCode } from '../../../protocol/zookeeper/codes.js';
import { CreateRequest } from '../../../protocol/zookeeper/records.js';
import type { Transaction } from '../../../protocol/zookeeper/txn.js';
import { DataTree } from '../../../src/znode/data-tree.js';
import { replyFrame } from '../../../src/zookeeper/replies.js';
import { firstSessionId, RequestCore, serverIdOf, type Now, type WriteAnswer } from '../../../src/zookeeper/request-core.js';

const ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const TICK = 1000;
/** Both clocks at `ms`, for tests where they agree. */
const at = (ms: number): Now => ({ wall: ms, mono: ms });

/** A core over a fresh tree whose sink keeps what it gets; `ack()` commits everything appended so far. */
function setup(opts: { serverId?: number; now?: number; tree?: DataTree } = {}) {
  const tree = opts.tree ?? new DataTree();
  const appended: Transaction[] = [];
  const triggered: string[] = [];
  const core = new RequestCore({
    tree,
    sink: { append: (txn) => void appended.push(txn) },
    config: { serverId: opts.serverId ?? 1, tickTime: TICK, extendedTypesEnabled: true, reconfigEnabled: false, enforceQuota: false },
    now: at(opts.now ?? 0),
    trigger: (type, path) => void triggered.push(`${type}:${path}`),
  });
  const ack = () => core.committed(appended.at(-1)?.zxid ?? 0n);
  const open = (timeout: number, now: number): bigint => {
    let opened: bigint | undefined;
    const id = core.openSession(timeout, at(now), (i) => (opened = i));
    ack();
    expect(opened).toBe(id);
    return id;
  };
  const create = (sessionId: bigint, path: string, flags: number, now: number): WriteAnswer[] => {
    const w = new Writer();
    CreateRequest.write(w, { path, data: null, acl: ACL, flags });
    const answers: WriteAnswer[] = [];
    core.write({ sessionId, cxid: 1, type: OpCode.create, auth: [] }, new Reader(w.toBuffer()), now, (a) => answers.push(a));
    return answers;
  };
  return { tree, core, appended, triggered, ack, open, create };
}

describe('session ids', () => {
  it('are ZooKeeper-shaped: the server id on top, the time in ms below, exact past 2^53', () => {
    const now = 1_764_000_000_123;
    const id = firstSessionId(7, now);
    expect(id).toBe((7n << 56n) | (BigInt(now) << 16n));
    expect(serverIdOf(id)).toBe(7);
    expect(serverIdOf(firstSessionId(200, now))).toBe(200);
    expect(firstSessionId(200, now)).toBeLessThan(0n);
    expect(() => firstSessionId(255, now)).toThrow(RangeError);
  });

  it('are unique per server, even for servers started in the same millisecond', () => {
    const ids = new Set<bigint>();
    for (const serverId of [1, 2, 3]) {
      const { open } = setup({ serverId, now: 5_000 });
      for (let i = 0; i < 100; i++) {
        const id = open(3000, 5_000);
        expect(serverIdOf(id)).toBe(serverId);
        ids.add(id);
      }
    }
    expect(ids.size).toBe(300);
  });

  it('never repeat after a restart whose clock went back', () => {
    const first = setup({ now: 10_000 });
    const ids = [first.open(3000, 10_000), first.open(3000, 10_000)];
    const restarted = setup({ now: 9_000, tree: first.tree });
    expect(restarted.open(3000, 9_000)).toBe(ids[1]! + 1n);
  });
});

describe('RequestCore', () => {
  it('expires a session at the first tick after its timeout, closing it and its ephemerals in one transaction', () => {
    const { core, tree, appended, triggered, ack, open, create } = setup();
    const id = open(2500, 0);
    // An ephemeral node; the clock moves only when the test says so.
    expect(create(id, '/e', 1, 100)).toEqual([]);
    ack();
    expect(tree.get('/e')!.owner).toBe(id);
    // Deadline: 100 + 2500 rounded up to the next tick = 3000.
    expect(core.tick(at(2999))).toEqual([]);
    const expired = core.tick(at(3000));
    expect(expired.map((s) => s.id)).toEqual([id]);
    expect(core.isLive(id)).toBe(false);
    expect(appended.at(-1)!.body).toEqual({ type: OpCode.closeSession, paths2Delete: ['/e'] });
    expect(appended.at(-1)!.time).toBe(3000);
    // The session lasts until its close is committed and applied.
    expect(tree.sessions.has(id)).toBe(true);
    ack();
    expect(tree.sessions.has(id)).toBe(false);
    expect(tree.get('/e')).toBeUndefined();
    expect(triggered).toContain('2:/e');
    expect(core.tick(at(100_000))).toEqual([]);
  });

  it('measures deadlines on the monotonic clock: a wall-clock step neither expires nor keeps a session', () => {
    const { core, appended, ack } = setup();
    const hour = 3_600_000;
    let opened: bigint | undefined;
    core.openSession(4000, { wall: 10 * hour, mono: 0 }, (id) => (opened = id));
    ack();
    // The wall clock jumps a day ahead: no expiry, 2 s have passed.
    expect(core.tick({ wall: 34 * hour, mono: 2000 })).toEqual([]);
    // It steps back an hour: the deadline still comes 4 s (rounded to the tick) after the open.
    expect(core.tick({ wall: 9 * hour, mono: 4999 })).toEqual([]);
    expect(core.tick({ wall: 9 * hour + 1, mono: 5000 }).map((s) => s.id)).toEqual([opened]);
    // Transactions record the wall clock.
    expect(appended.map((t) => t.time)).toEqual([10 * hour, 9 * hour + 1]);
  });

  it('moves the deadline out on touch and renews every restored session from the start time', () => {
    const { core, tree, open } = setup();
    const id = open(2000, 0);
    core.touch(id, 1500);
    expect(core.tick(at(2000))).toEqual([]);
    expect(core.tick(at(4000)).map((s) => s.id)).toEqual([id]);
    const other = open(2000, 4000);
    const restarted = setup({ tree, now: 50_000 });
    expect(restarted.core.isLive(other)).toBe(true);
    expect(restarted.core.tick(at(52_000))).toEqual([]);
    expect(restarted.core.tick(at(53_000)).map((s) => s.id)).toEqual([other]);
  });

  it('numbers transactions one past the last proposed and answers a write once the sink commits it', () => {
    const { core, appended, ack, open, create } = setup();
    const id = open(5000, 0);
    const a = create(id, '/a', 0, 10);
    const b = create(id, '/b', 0, 10);
    expect(appended.map((t) => t.zxid)).toEqual([1n, 2n, 3n]);
    expect(core.lastProposedZxid).toBe(3n);
    expect(core.outstanding).toBe(2);
    expect([a, b]).toEqual([[], []]);
    ack();
    expect(a).toMatchObject([{ applied: true, zxid: 2n, result: { err: ErrorCode.ok, path: '/a' } }]);
    expect(b).toMatchObject([{ applied: true, zxid: 3n }]);
  });

  it('numbers exactly past 2^53, and the reply header carries the exact zxid', () => {
    const tree = new DataTree();
    tree.lastProcessedZxid = (0x7fff_0000n << 32n) | 41n;
    const { appended, ack, open, create } = setup({ tree });
    const id = open(5000, 0);
    const answers = create(id, '/big', 0, 1);
    ack();
    expect(appended.map((t) => t.zxid - tree.lastProcessedZxid)).toEqual([-1n, 0n]);
    expect(answers).toMatchObject([{ applied: true, zxid: (0x7fff_0000n << 32n) | 43n }]);
    const frame = Buffer.concat(replyFrame(9, (answers[0] as { zxid: bigint }).zxid, 0));
    expect(frame.toString('hex')).toBe('00000010' + '00000009' + '7fff00000000002b' + '00000000');
  });

  it('answers a refused write only after the transaction it collided with is applied', () => {
    const { core, ack, open, create } = setup();
    const id = open(5000, 0);
    const first = create(id, '/x', 0, 10);
    const dup = create(id, '/x', 0, 10);
    expect(dup).toEqual([]);
    ack();
    expect(first).toMatchObject([{ applied: true, zxid: 2n }]);
    expect(dup).toEqual([{ applied: false, zxid: 2n, err: ErrorCode.nodeExists, multi: undefined }]);
    expect(core.lastProposedZxid).toBe(2n);
  });

  it('refuses writes and proposes no expiry once stopped', () => {
    const { core, appended, open, create } = setup();
    const id = open(1000, 0);
    core.stop();
    expect(create(id, '/y', 0, 10)).toEqual([{ applied: false, zxid: 1n, err: ErrorCode.systemError, multi: undefined }]);
    const before = appended.length;
    expect(core.tick(at(10_000)).map((s) => s.id)).toEqual([id]);
    expect(appended).toHaveLength(before);
  });
});
