// Validation: a write request becomes a transaction or a ZooKeeper error, in PrepRequestProcessor's
// order of checks (session, path, ACL, existence, version), against the tree as pending transactions
// will leave it. Pure: the caller supplies the zxid, the time and who is asking, and logs the result.
import { DecodeError, type Reader } from '../../protocol/bytes.js';
import {
  createModeOf,
  ErrorCode,
  KeeperError,
  MAX_TTL_MS,
  OpCode,
  Perms,
} from '../../protocol/zookeeper/codes.js';
import { readMultiRequest, type MultiOp, type MultiResult } from '../../protocol/zookeeper/multi.js';
import { parentOf, pathProblem } from '../../protocol/zookeeper/path.js';
import {
  CheckVersionRequest,
  CreateRequest,
  CreateTTLRequest,
  DeleteRequest,
  ReconfigRequest,
  SetACLRequest,
  SetDataRequest,
  type ACL,
  type CreateRequest as CreateRequestValue,
  type Id,
} from '../../protocol/zookeeper/records.js';
import type { Transaction, TxnBody } from '../../protocol/zookeeper/txn.js';
import { isSpecialPath } from '../znode/data-tree.js';
import { limitPath, quotaPrefixOf, StatsTrack, statPath } from '../znode/quota.js';
import { CONTAINER_OWNER, isSessionOwner } from '../znode/znode.js';
import { aclView, checkPermission, fixupACL } from './acl.js';
import { changedView, type NodeView, type PendingChanges } from './pending-changes.js';

export interface PrepContext {
  readonly changes: PendingChanges;
  /** Whether the session exists and is not closing. */
  isLive(sessionId: bigint): boolean;
  readonly extendedTypesEnabled: boolean;
  readonly reconfigEnabled: boolean;
  /** Refuse writes past a hard quota (zookeeper.enforceQuota). */
  readonly enforceQuota: boolean;
}

/** Who asks for a write, and its place in the session's stream. */
export interface WriteRequest {
  sessionId: bigint;
  cxid: number;
  type: number;
  auth: readonly Id[];
}

export type PrepOutcome =
  | { ok: true; txn: Transaction }
  /** Refused before logging; a refused multi carries its per-op results. */
  | { ok: false; err: number; multi?: MultiResult[] };

/** Request types that change state (everything else is answered from the applied tree). */
export const WRITE_TYPES: ReadonlySet<number> = new Set([
  OpCode.create,
  OpCode.create2,
  OpCode.createTTL,
  OpCode.createContainer,
  OpCode.delete,
  OpCode.setData,
  OpCode.setACL,
  OpCode.check,
  OpCode.multi,
  OpCode.reconfig,
  OpCode.closeSession,
]);

/** %010d as Java formats it (negative numbers keep the sign in front of the zero padding). */
export function sequenceSuffix(n: number): string {
  return n < 0 ? `-${String(-n).padStart(9, '0')}` : String(n).padStart(10, '0');
}

function expectedVersion(current: number, expected: number, path: string): number {
  if (expected !== -1 && expected !== current) throw new KeeperError(ErrorCode.badVersion, path);
  // After Integer.MAX_VALUE the version wraps past -1, which would read as "any version".
  const next = (current + 1) | 0;
  return next === -1 ? 0 : next;
}

function validPath(path: string): void {
  if (pathProblem(path) !== undefined) throw new KeeperError(ErrorCode.badArguments, path);
}

/** The parent of a path a client may delete: not a special node, and a plausible absolute path. */
function deletableParent(path: string): string {
  if (path.indexOf('/') < 0 || path.includes('\u0000') || isSpecialPath(path)) {
    throw new KeeperError(ErrorCode.badArguments, path);
  }
  return parentOf(path);
}

type WriteOp = Exclude<MultiOp, { type: typeof OpCode.getData | typeof OpCode.getChildren }>;

function isWriteOp(op: MultiOp): op is WriteOp {
  return op.type !== OpCode.getData && op.type !== OpCode.getChildren;
}

export class Preparer {
  constructor(private readonly ctx: PrepContext) {}

  private node(path: string): NodeView {
    const view = this.ctx.changes.get(path);
    if (!view) throw new KeeperError(ErrorCode.noNode, path);
    return view;
  }

  private session(req: WriteRequest): void {
    if (!this.ctx.isLive(req.sessionId)) throw new KeeperError(ErrorCode.sessionExpired);
  }

  /**
   * Turns the write `req` with body `r` into a transaction numbered `zxid` at `time`, registering its
   * effect as pending, or explains why it cannot happen.
   */
  prepare(req: WriteRequest, r: Reader, zxid: bigint, time: number): PrepOutcome {
    try {
      if (req.type === OpCode.multi) return this.multi(req, readMultiRequest(r), zxid, time);
      const body = this.op(req, req.type, r, zxid);
      return { ok: true, txn: { clientId: req.sessionId, cxid: req.cxid, zxid, time, body } };
    } catch (err) {
      if (err instanceof KeeperError) return { ok: false, err: err.code };
      if (err instanceof DecodeError) return { ok: false, err: ErrorCode.marshallingError };
      throw err;
    }
  }

  private op(req: WriteRequest, type: number, r: Reader, zxid: bigint): TxnBody {
    switch (type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
        return this.create(req, type, CreateRequest.read(r), -1, zxid);
      case OpCode.createTTL: {
        const ttlReq = CreateTTLRequest.read(r);
        return this.create(req, type, ttlReq, ttlReq.ttl, zxid);
      }
      case OpCode.delete:
        return this.delete(req, DeleteRequest.read(r), zxid);
      case OpCode.setData:
        return this.setData(req, SetDataRequest.read(r), zxid);
      case OpCode.setACL:
        return this.setACL(req, SetACLRequest.read(r), zxid);
      case OpCode.check:
        return this.check(req, CheckVersionRequest.read(r));
      case OpCode.closeSession:
        return this.closeSession(req.sessionId, zxid);
      case OpCode.reconfig:
        ReconfigRequest.read(r);
        if (!this.ctx.reconfigEnabled) throw new KeeperError(ErrorCode.reconfigDisabled);
        this.session(req);
        // Enabled, a standalone ZooKeeper still has no quorum to change: it answers Unimplemented.
        throw new KeeperError(ErrorCode.unimplemented);
      default:
        throw new KeeperError(ErrorCode.unimplemented);
    }
  }

  private create(req: WriteRequest, type: number, body: CreateRequestValue, ttl: number, zxid: bigint): TxnBody {
    const mode = createModeOf(body.flags);
    if (!mode) throw new KeeperError(ErrorCode.badArguments, body.path);
    if (mode.ttl && !this.ctx.extendedTypesEnabled) throw new KeeperError(ErrorCode.unimplemented, body.path);
    if (mode.ttl ? ttl <= 0 || ttl > MAX_TTL_MS : ttl >= 0) throw new KeeperError(ErrorCode.badArguments, body.path);
    this.session(req);
    let path = body.path;
    if (path.indexOf('/') < 0 || path.includes('\u0000')) throw new KeeperError(ErrorCode.badArguments, path);
    const parentPath = parentOf(path);
    const acl = fixupACL(path, body.acl, req.auth);
    const parent = this.node(parentPath);
    checkPermission(parent.acl, Perms.create, req.auth, path);
    if (mode.sequential) path += sequenceSuffix(parent.childCreates);
    validPath(path);
    if (this.ctx.changes.get(path)) throw new KeeperError(ErrorCode.nodeExists, path);
    if (isSessionOwner(parent.owner)) throw new KeeperError(ErrorCode.noChildrenForEphemerals, path);
    this.checkQuota(path, 1, body.data === null ? 0 : body.data.length);
    const parentCVersion = parent.childCreates + 1;
    const owner = mode.container ? CONTAINER_OWNER : mode.ephemeral ? req.sessionId : 0n;
    this.ctx.changes.set(
      zxid,
      parentPath,
      changedView(parent, { childCreates: parentCVersion, numChildren: parent.numChildren + 1 }),
    );
    this.ctx.changes.set(zxid, path, {
      version: 0,
      childCreates: 0,
      aversion: 0,
      owner,
      ttl: mode.ttl ? ttl : 0,
      numChildren: 0,
      acl: aclView(acl),
      data: body.data,
    });
    const { data } = body;
    if (mode.container || type === OpCode.createContainer) {
      return { type: OpCode.createContainer, path, data, acl, parentCVersion };
    }
    if (mode.ttl) return { type: OpCode.createTTL, path, data, acl, parentCVersion, ttl };
    const createType = type === OpCode.create ? OpCode.create : OpCode.create2;
    return { type: createType, path, data, acl, ephemeral: mode.ephemeral, parentCVersion };
  }

  private delete(req: WriteRequest, body: { path: string; version: number }, zxid: bigint): TxnBody {
    this.session(req);
    const { path } = body;
    const parentPath = deletableParent(path);
    const parent = this.node(parentPath);
    checkPermission(parent.acl, Perms.delete, req.auth, path);
    const node = this.node(path);
    expectedVersion(node.version, body.version, path);
    if (node.numChildren > 0) throw new KeeperError(ErrorCode.notEmpty, path);
    this.removeNode(zxid, path, parentPath, parent);
    return { type: OpCode.delete, path };
  }

  private removeNode(zxid: bigint, path: string, parentPath: string, parent: NodeView): void {
    this.ctx.changes.set(zxid, parentPath, changedView(parent, { numChildren: parent.numChildren - 1 }));
    this.ctx.changes.set(zxid, path, null);
  }

  private setData(req: WriteRequest, body: { path: string; data: Buffer | null; version: number }, zxid: bigint): TxnBody {
    this.session(req);
    const { path } = body;
    validPath(path);
    const node = this.node(path);
    checkPermission(node.acl, Perms.write, req.auth, path);
    this.checkQuota(path, 0, (body.data === null ? 0 : body.data.length) - (node.data === null ? 0 : node.data.length));
    const version = expectedVersion(node.version, body.version, path);
    this.ctx.changes.set(zxid, path, changedView(node, { version, data: body.data }));
    return { type: OpCode.setData, path, data: body.data, version };
  }

  private setACL(req: WriteRequest, body: { path: string; acl: readonly ACL[]; version: number }, zxid: bigint): TxnBody {
    this.session(req);
    const { path } = body;
    validPath(path);
    const acl = fixupACL(path, body.acl, req.auth);
    const node = this.node(path);
    checkPermission(node.acl, Perms.admin, req.auth, path);
    const version = expectedVersion(node.aversion, body.version, path);
    this.ctx.changes.set(zxid, path, changedView(node, { aversion: version, acl: aclView(acl) }));
    return { type: OpCode.setACL, path, acl, version };
  }

  private check(req: WriteRequest, body: { path: string; version: number }): TxnBody {
    this.session(req);
    const { path } = body;
    validPath(path);
    const node = this.node(path);
    checkPermission(node.acl, Perms.read, req.auth, path);
    return { type: OpCode.check, path, version: expectedVersion(node.version, body.version, path) };
  }

  /**
   * With enforceQuota, refuses a create or setData that would take the quota'd subtree above `path` past
   * its hard count or byte limit (ZooKeeperServer.checkQuota; soft limits are only reported by listquota).
   * Usage counts transactions still pending, so pipelined writes cannot slip past the limit together.
   */
  private checkQuota(path: string, countDiff: number, bytesDiff: number): void {
    if (!this.ctx.enforceQuota) return;
    const { changes } = this.ctx;
    const quotaed = quotaPrefixOf(path, (p) => changes.get(limitPath(p)) !== undefined);
    if (quotaed === undefined) return;
    const limits = StatsTrack.parse(changes.get(limitPath(quotaed))!.data);
    const stats = changes.get(statPath(quotaed));
    if (!stats) return;
    const used = StatsTrack.parse(stats.data);
    const pending = changes.pendingUsage(quotaed);
    const overCount = countDiff !== 0 && limits.countHardLimit > -1 && used.count + pending.count + countDiff > limits.countHardLimit;
    const overBytes = bytesDiff !== 0 && limits.byteHardLimit > -1 && used.bytes + pending.bytes + bytesDiff > limits.byteHardLimit;
    if (overCount || overBytes) throw new KeeperError(ErrorCode.quotaExceeded, quotaed);
  }

  /** The session's ephemerals go with it; the close itself is never refused. */
  private closeSession(sessionId: bigint, zxid: bigint): TxnBody {
    const paths = [...this.ctx.changes.ephemeralsOf(sessionId)];
    for (const path of paths) {
      const parentPath = parentOf(path);
      const parent = this.ctx.changes.get(parentPath);
      if (parent) this.removeNode(zxid, path, parentPath, parent);
    }
    return { type: OpCode.closeSession, paths2Delete: paths };
  }

  /** Opens a session (not a client request: the handshake asks for it). */
  createSession(sessionId: bigint, timeout: number, zxid: bigint, time: number): Transaction {
    return { clientId: sessionId, cxid: 0, zxid, time, body: { type: OpCode.createSession, timeOut: timeout } };
  }

  /** The session-less close of a session that expired. */
  expireSession(sessionId: bigint, zxid: bigint, time: number): Transaction {
    return { clientId: sessionId, cxid: 0, zxid, time, body: this.closeSession(sessionId, zxid) };
  }

  /**
   * Removes an empty container or an expired TTL node (the sweeper's request); undefined when the node
   * changed meanwhile and is no longer a candidate.
   */
  deleteContainer(path: string, zxid: bigint, time: number): Transaction | undefined {
    const node = this.ctx.changes.get(path);
    if (!node || node.numChildren > 0 || (node.ttl === 0 && node.owner !== CONTAINER_OWNER)) return undefined;
    const parentPath = parentOf(path);
    const parent = this.ctx.changes.get(parentPath);
    if (!parent || isSpecialPath(path)) return undefined;
    this.removeNode(zxid, path, parentPath, parent);
    return { clientId: 0n, cxid: 0, zxid, time, body: { type: OpCode.deleteContainer, path } };
  }

  /** All ops or none: on the first failure, earlier ops report 0, the failing one its code, later ones -2. */
  private multi(req: WriteRequest, ops: readonly MultiOp[], zxid: bigint, time: number): PrepOutcome {
    const writes = ops.filter(isWriteOp);
    // Reads mixed into a write multi: ZooKeeper refuses the request as malformed.
    if (writes.length !== ops.length) return { ok: false, err: ErrorCode.marshallingError };
    const mark = this.ctx.changes.mark();
    const txns: TxnBody[] = [];
    for (let i = 0; i < writes.length; i++) {
      const op = writes[i]!;
      try {
        txns.push(this.multiOp(req, op, zxid));
      } catch (err) {
        if (!(err instanceof KeeperError)) throw err;
        this.ctx.changes.rollback(mark);
        const multi: MultiResult[] = ops.map((_, j) => ({
          type: OpCode.error,
          err: j < i ? ErrorCode.ok : j === i ? err.code : ErrorCode.runtimeInconsistency,
        }));
        return { ok: false, err: err.code, multi };
      }
    }
    return { ok: true, txn: { clientId: req.sessionId, cxid: req.cxid, zxid, time, body: { type: OpCode.multi, txns } } };
  }

  private multiOp(req: WriteRequest, op: WriteOp, zxid: bigint): TxnBody {
    switch (op.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
        return this.create(req, op.type, op.req, -1, zxid);
      case OpCode.createTTL:
        return this.create(req, op.type, op.req, op.req.ttl, zxid);
      case OpCode.delete:
        return this.delete(req, op.req, zxid);
      case OpCode.setData:
        return this.setData(req, op.req, zxid);
      case OpCode.check:
        return this.check(req, op.req);
    }
  }
}
