// Requests answered from the applied tree (FinalRequestProcessor's read side): lookups, watch
// registration and removal, setWatches after a reconnect, whoAmI, multiRead.
import { DecodeError, type Reader } from '../../protocol/bytes.js';
import { AddWatchMode, ErrorCode, EventType, KeeperError, OpCode, Perms } from '../../protocol/zookeeper/codes.js';
import { readMultiRequest, writeMultiResponse, type MultiResult } from '../../protocol/zookeeper/multi.js';
import { isValidPath } from '../../protocol/zookeeper/path.js';
import {
  AddWatchRequest,
  ErrorResponse,
  GetACLResponse,
  GetAllChildrenNumberResponse,
  GetChildren2Response,
  GetChildrenResponse,
  GetDataResponse,
  GetEphemeralsResponse,
  PathRequest,
  PathWatchRequest,
  SetWatches,
  SetWatches2,
  StatResponse,
  SyncResponse,
  WatchesRequest,
  WhoAmIResponse,
  type Id,
} from '../../protocol/zookeeper/records.js';
import type { DataTree } from '../znode/data-tree.js';
import type { ZNode } from '../znode/znode.js';
import { checkPermission, clientInfos, permitted } from './acl.js';
import { body, type Body } from './replies.js';
import type { WatchManager, Watcher } from './watch-manager.js';

export interface ReadContext {
  readonly tree: DataTree;
  readonly watches: WatchManager;
}

/** The connection asking: its identities and the watcher its watches belong to. */
export interface Requester extends Watcher {
  readonly auth: readonly Id[];
}

export interface ReadResult {
  err: number;
  body?: Body;
}

const OK_EMPTY: ReadResult = { err: ErrorCode.ok };

function readable(tree: DataTree, path: string, who: Requester): ZNode {
  const node = tree.get(path);
  if (!node) throw new KeeperError(ErrorCode.noNode, path);
  checkPermission(node.acl, Perms.read, who.auth, path);
  return node;
}

/** Answers the read-type request `type` with body `r` against the applied tree. */
export function executeRead(ctx: ReadContext, who: Requester, type: number, r: Reader): ReadResult {
  try {
    return read(ctx, who, type, r);
  } catch (err) {
    if (err instanceof KeeperError) return { err: err.code };
    if (err instanceof DecodeError) return { err: ErrorCode.marshallingError };
    throw err;
  }
}

function read(ctx: ReadContext, who: Requester, type: number, r: Reader): ReadResult {
  const { tree, watches } = ctx;
  switch (type) {
    case OpCode.ping:
      return OK_EMPTY;
    case OpCode.exists: {
      const { path, watch } = PathWatchRequest.read(r);
      if (path.includes('\u0000')) throw new KeeperError(ErrorCode.badArguments, path);
      // No READ check: ZooKeeper 3.8.0, the version Skein reports, returns the Stat of any node. 3.8.4 and
      // 3.9.2 answer NoAuth (ZOOKEEPER-2590), but also filter watch events by ACL (ZOOKEEPER-4799).
      const node = tree.get(path);
      if (watch && isValidPath(path)) watches.addDataWatch(path, who);
      if (!node) throw new KeeperError(ErrorCode.noNode, path);
      return { err: ErrorCode.ok, body: body(StatResponse, { stat: node }) };
    }
    case OpCode.getData: {
      const { path, watch } = PathWatchRequest.read(r);
      const node = readable(tree, path, who);
      if (watch) watches.addDataWatch(path, who);
      return { err: ErrorCode.ok, body: body(GetDataResponse, { data: node.data, stat: node }, node.dataLength) };
    }
    case OpCode.getChildren: {
      const { path, watch } = PathWatchRequest.read(r);
      const node = readable(tree, path, who);
      if (watch) watches.addChildWatch(path, who);
      return { err: ErrorCode.ok, body: body(GetChildrenResponse, { children: [...node.children] }) };
    }
    case OpCode.getChildren2: {
      const { path, watch } = PathWatchRequest.read(r);
      const node = readable(tree, path, who);
      if (watch) watches.addChildWatch(path, who);
      return {
        err: ErrorCode.ok,
        body: body(GetChildren2Response, { children: [...node.children], stat: node }),
      };
    }
    case OpCode.getACL: {
      const { path } = PathRequest.read(r);
      const node = tree.get(path);
      if (!node) throw new KeeperError(ErrorCode.noNode, path);
      checkPermission(node.acl, Perms.read | Perms.admin, who.auth, path);
      // Without ADMIN, digest ids are shown with the hash hidden.
      const acl = permitted(node.acl, Perms.admin, who.auth)
        ? node.acl.entries
        : node.acl.entries.map((a) =>
            a.id.scheme === 'digest' ? { perms: a.perms, id: { scheme: a.id.scheme, id: a.id.id.replace(/:.*/s, ':x') } } : a,
          );
      return { err: ErrorCode.ok, body: body(GetACLResponse, { acl, stat: node }) };
    }
    case OpCode.getAllChildrenNumber: {
      const { path } = PathRequest.read(r);
      readable(tree, path, who);
      const totalNumber = path === '/' ? tree.nodeCount - 1 : tree.countDescendants(path);
      return { err: ErrorCode.ok, body: body(GetAllChildrenNumberResponse, { totalNumber }) };
    }
    case OpCode.getEphemerals: {
      const prefix = PathRequest.read(r).path.trim();
      const all = [...tree.ephemeralsOf(who.sessionId)];
      const ephemerals = prefix === '' || prefix === '/' ? all : all.filter((p) => p.startsWith(prefix));
      return { err: ErrorCode.ok, body: body(GetEphemeralsResponse, { ephemerals }) };
    }
    case OpCode.sync: {
      const { path } = PathRequest.read(r);
      return { err: ErrorCode.ok, body: body(SyncResponse, { path }) };
    }
    case OpCode.addWatch: {
      const { path, mode } = AddWatchRequest.read(r);
      if (mode !== AddWatchMode.persistent && mode !== AddWatchMode.persistentRecursive) {
        throw new KeeperError(ErrorCode.badArguments, path);
      }
      if (!isValidPath(path)) throw new KeeperError(ErrorCode.badArguments, path);
      watches.addPersistentWatch(path, who, mode === AddWatchMode.persistentRecursive);
      return { err: ErrorCode.ok, body: body(ErrorResponse, { err: 0 }) };
    }
    case OpCode.checkWatches:
    case OpCode.removeWatches: {
      const { path, type: watcherType } = WatchesRequest.read(r);
      const found =
        type === OpCode.checkWatches
          ? watches.contains(path, who, watcherType)
          : watches.remove(path, who, watcherType);
      return found ? OK_EMPTY : { err: ErrorCode.noWatcher };
    }
    case OpCode.setWatches:
    case OpCode.setWatches2:
      restoreWatches(
        ctx,
        who,
        type === OpCode.setWatches
          ? { ...SetWatches.read(r), persistentWatches: [], persistentRecursiveWatches: [] }
          : SetWatches2.read(r),
      );
      return OK_EMPTY;
    case OpCode.whoAmI:
      return { err: ErrorCode.ok, body: body(WhoAmIResponse, { clientInfo: clientInfos(who.auth) }) };
    case OpCode.multiRead: {
      const results = multiRead(tree, who, readMultiRequest(r));
      return { err: ErrorCode.ok, body: { write: (w) => writeMultiResponse(w, results), dataBytes: 512 * results.length } };
    }
    default:
      return { err: ErrorCode.unimplemented };
  }
}

function multiRead(tree: DataTree, who: Requester, ops: ReturnType<typeof readMultiRequest>): MultiResult[] {
  return ops.map((op): MultiResult => {
    if (op.type !== OpCode.getData && op.type !== OpCode.getChildren) {
      throw new DecodeError(`write op ${op.type} inside a multiRead`);
    }
    try {
      const node = readable(tree, op.req.path, who);
      return op.type === OpCode.getData
        ? { type: op.type, data: node.data, stat: node }
        : { type: op.type, children: [...node.children] };
    } catch (err) {
      if (err instanceof KeeperError) return { type: OpCode.error, err: err.code };
      throw err;
    }
  });
}

/**
 * After a reconnect the client re-registers its watches with the last zxid it saw; anything that
 * changed since fires at once instead of being registered.
 */
function restoreWatches(ctx: ReadContext, who: Requester, w: SetWatches2): void {
  const { tree, watches } = ctx;
  const since = w.relativeZxid;
  for (const path of w.dataWatches) {
    const node = tree.get(path);
    if (!node) who.notify(EventType.nodeDeleted, path);
    else if (node.mzxid > since) who.notify(EventType.nodeDataChanged, path);
    else watches.addDataWatch(path, who);
  }
  for (const path of w.existWatches) {
    if (tree.get(path)) who.notify(EventType.nodeCreated, path);
    else watches.addDataWatch(path, who);
  }
  for (const path of w.childWatches) {
    const node = tree.get(path);
    if (!node) who.notify(EventType.nodeDeleted, path);
    else if (node.pzxid > since) who.notify(EventType.nodeChildrenChanged, path);
    else watches.addChildWatch(path, who);
  }
  for (const path of w.persistentWatches) watches.addPersistentWatch(path, who, false);
  for (const path of w.persistentRecursiveWatches) watches.addPersistentWatch(path, who, true);
}
