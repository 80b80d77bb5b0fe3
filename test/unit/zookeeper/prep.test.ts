import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../../../protocol/bytes.js';
import { ErrorCode, OpCode } from '../../../protocol/zookeeper/codes.js';
import type { JuteType } from '../../../protocol/zookeeper/jute.js';
import { writeMultiRequest, type MultiOp } from '../../../protocol/zookeeper/multi.js';
import { CreateRequest, DeleteRequest, ReconfigRequest, SetDataRequest, type Id } from '../../../protocol/zookeeper/records.js';
import type { Transaction } from '../../../protocol/zookeeper/txn.js';
import { DataTree } from '../../../src/znode/data-tree.js';
import { PendingChanges } from '../../../src/zookeeper/pending-changes.js';
import { Preparer, sequenceSuffix, type PrepOutcome } from '../../../src/zookeeper/prep.js';

const ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const SESSION = 77n;

function setup(live = new Set([SESSION]), enforceQuota = false) {
  const tree = new DataTree();
  const changes = new PendingChanges(tree);
  const prep = new Preparer({ changes, isLive: (id) => live.has(id), extendedTypesEnabled: true, reconfigEnabled: false, enforceQuota });
  let zxid = 0;
  const run = <T>(type: number, record: Pick<JuteType<T>, 'write'>, value: T, auth: Id[] = []): PrepOutcome => {
    const w = new Writer();
    record.write(w, value);
    const out = prep.prepare({ sessionId: SESSION, cxid: 1, type, auth }, new Reader(w.toBuffer()), BigInt(zxid + 1), 1000);
    if (out.ok) zxid++;
    return out;
  };
  const apply = (out: PrepOutcome) => {
    const txn = (out as { txn: Transaction }).txn;
    tree.apply(txn);
    changes.applied(txn.zxid);
  };
  const create = (path: string, flags = 0) => run(OpCode.create, CreateRequest, { path, data: null, acl: ACL, flags });
  return { tree, changes, prep, run, apply, create };
}

const err = (out: PrepOutcome) => (out.ok ? 0 : out.err);
const path = (out: PrepOutcome) => (out.ok && 'path' in out.txn.body ? out.txn.body.path : undefined);

describe('Preparer', () => {
  it('formats sequence numbers as Java %010d does', () => {
    expect(sequenceSuffix(0)).toBe('0000000000');
    expect(sequenceSuffix(2147483647)).toBe('2147483647');
    expect(sequenceSuffix(-5)).toBe('-000000005');
  });

  it('validates writes against pending, unapplied transactions', () => {
    const s = setup();
    const a = s.create('/a');
    expect(a.ok).toBe(true);
    expect(err(s.create('/a'))).toBe(ErrorCode.nodeExists);
    expect(s.create('/a/b').ok).toBe(true);
    expect(err(s.run(OpCode.delete, DeleteRequest, { path: '/a', version: -1 }))).toBe(ErrorCode.notEmpty);
    const set = s.run(OpCode.setData, SetDataRequest, { path: '/a', data: null, version: 0 });
    expect(set.ok && set.txn.body).toMatchObject({ type: OpCode.setData, version: 1 });
    expect(err(s.run(OpCode.setData, SetDataRequest, { path: '/a', data: null, version: 0 }))).toBe(ErrorCode.badVersion);
    expect(s.tree.get('/a')).toBeUndefined();
    expect(s.changes.size).toBeGreaterThan(0);
  });

  it('numbers pending sequential creates from the pending parent cversion', () => {
    const s = setup();
    s.create('/q');
    expect(path(s.create('/q/n-', 2))).toBe('/q/n-0000000000');
    expect(path(s.create('/q/n-', 2))).toBe('/q/n-0000000001');
  });

  it('forgets pending changes once their transactions are applied', () => {
    const s = setup();
    const out = s.create('/x');
    s.apply(out);
    expect(s.changes.size).toBe(0);
    expect(err(s.create('/x'))).toBe(ErrorCode.nodeExists);
  });

  it('rolls a failed multi back completely and reports per-op results', () => {
    const s = setup();
    const ops: MultiOp[] = [
      { type: OpCode.create, req: { path: '/m', data: null, acl: ACL, flags: 0 } },
      { type: OpCode.create, req: { path: '/m/s-', data: null, acl: ACL, flags: 2 } },
      { type: OpCode.delete, req: { path: '/missing', version: -1 } },
      { type: OpCode.create, req: { path: '/m2', data: null, acl: ACL, flags: 0 } },
    ];
    const out = s.run(OpCode.multi, { write: writeMultiRequest }, ops);
    expect(out).toEqual({
      ok: false,
      err: ErrorCode.noNode,
      multi: [
        { type: OpCode.error, err: 0 },
        { type: OpCode.error, err: 0 },
        { type: OpCode.error, err: ErrorCode.noNode },
        { type: OpCode.error, err: ErrorCode.runtimeInconsistency },
      ],
    });
    expect(s.changes.size).toBe(0);
    expect(s.create('/m').ok).toBe(true);
    expect(path(s.create('/m/s-', 2))).toBe('/m/s-0000000000');
  });

  it('closes a session with its pending ephemerals and refuses its later writes', () => {
    const live = new Set([SESSION]);
    const s = setup(live);
    s.apply(s.create('/e1', 1));
    s.create('/e2', 1);
    const { body } = s.prep.expireSession(SESSION, 99n, 5);
    if (body.type !== OpCode.closeSession) throw new Error(`unexpected ${body.type}`);
    expect([...body.paths2Delete].sort()).toEqual(['/e1', '/e2']);
    live.delete(SESSION);
    expect(err(s.create('/late'))).toBe(ErrorCode.sessionExpired);
  });

  it('checks ACLs with the caller’s identities', () => {
    const s = setup();
    const digest = { scheme: 'digest', id: 'u:hash' };
    s.apply(s.run(OpCode.create, CreateRequest, { path: '/p', data: null, acl: [{ perms: 1, id: digest }], flags: 0 }));
    expect(err(s.create('/p/kid'))).toBe(ErrorCode.noAuth);
    const kid = s.run(OpCode.create, CreateRequest, { path: '/p/kid', data: null, acl: ACL, flags: 0 }, [digest]);
    expect(err(kid)).toBe(ErrorCode.noAuth);
    expect(err(s.run(OpCode.create, CreateRequest, { path: '/q2', data: null, acl: [], flags: 0 }))).toBe(ErrorCode.invalidACL);
  });

  it('only deletes containers and TTL nodes as the sweeper', () => {
    const s = setup();
    s.apply(s.create('/plain'));
    expect(s.prep.deleteContainer('/plain', 50n, 1)).toBeUndefined();
    s.apply(s.create('/box', 4));
    expect(s.prep.deleteContainer('/box', 51n, 1)?.body).toEqual({ type: OpCode.deleteContainer, path: '/box' });
  });

  it('refuses creates and setData past a hard quota, counting writes still pending, only when enforced', () => {
    for (const enforced of [true, false]) {
      const s = setup(undefined, enforced);
      const put = (path: string, data: string) =>
        s.run(OpCode.create, CreateRequest, { path, data: Buffer.from(data), acl: ACL, flags: 0 });
      for (const [path, data] of [
        ['/q', ''],
        ['/zookeeper/quota/q', ''],
        ['/zookeeper/quota/q/zookeeper_limits', 'count=-1,bytes=-1=;byteHardLimit=10;countHardLimit=3'],
        ['/zookeeper/quota/q/zookeeper_stats', 'count=0,bytes=0'],
        ['/q/a', '1234'],
      ] as const) {
        s.apply(put(path, data));
      }
      // Applied: /q and /q/a, 4 bytes. Pending from here on, as pipelined requests are.
      expect(put('/q/b', '12345').ok).toBe(true);
      const third = put('/q/c', '');
      const set = (path: string, data: string) => s.run(OpCode.setData, SetDataRequest, { path, data: Buffer.from(data), version: -1 });
      const tooBig = set('/q/a', '1234567');
      const shrink = set('/q/a', '1');
      if (enforced) {
        expect(err(third)).toBe(ErrorCode.quotaExceeded);
        expect(err(tooBig)).toBe(ErrorCode.quotaExceeded);
        // Pending: /q/a shrank to 1 byte, /q/b holds 5; 6 of 10 bytes used.
        expect(shrink.ok).toBe(true);
        expect(set('/q/b', '12345678').ok).toBe(true);
        expect(err(set('/q/a', '123'))).toBe(ErrorCode.quotaExceeded);
        // A node outside the quota is never counted, even one whose name starts the same.
        expect(put('/qq', '12345678901').ok).toBe(true);
      } else {
        expect([third.ok, tooBig.ok, shrink.ok]).toEqual([true, true, true]);
      }
    }
  });

  it('answers reconfig ReconfigDisabled, or Unimplemented when enabled on a standalone server', () => {
    for (const [reconfigEnabled, expected] of [
      [false, ErrorCode.reconfigDisabled],
      [true, ErrorCode.unimplemented],
    ] as const) {
      const prep = new Preparer({ changes: new PendingChanges(new DataTree()), isLive: () => true, extendedTypesEnabled: true, reconfigEnabled, enforceQuota: false });
      const w = new Writer();
      ReconfigRequest.write(w, { joiningServers: '', leavingServers: '', newMembers: 'server.1=h:2888:3888', curConfigId: -1n });
      expect(prep.prepare({ sessionId: SESSION, cxid: 1, type: OpCode.reconfig, auth: [] }, new Reader(w.toBuffer()), 1n, 1)).toEqual({
        ok: false,
        err: expected,
      });
    }
  });
});
