// ACLs in ZooKeeper as Kafka's AclAuthorizer keeps them, so every broker of a cluster (and Kafka's own
// tools pointed at the same ZooKeeper) sees the same:
//   /kafka-acl/<ResourceType>/<name>                     literal patterns
//   /kafka-acl-extended/prefixed/<ResourceType>/<name>   prefixed patterns (KIP-290)
// each holding {"version":1,"acls":[{"principal","permissionType","operation","host"}]}, changed by
// read-modify-write conditional on the znode version. After a change the writer adds a notification,
// /kafka-acl-changes/acl_changes_<seq> ("Topic:name", literal) or /kafka-acl-extended-changes/acl_changes_<seq>
// (JSON naming the pattern); every broker watches both and re-reads the resource named, into its
// Authorizer (the cache its checks read). A new session re-reads everything.
import { ErrorCode as ZkError } from '../../../protocol/zookeeper/codes.js';
import type { Logger } from '../../logger.js';
import type { ZooKeeperClient } from '../../zookeeper/client/client.js';
import { CHANGE_NOTIFICATION_EXPIRY_MS, purgeExpiredChanges } from '../cluster/change-notifications.js';
import { ensurePath, isKeeperError } from '../cluster/membership.js';
import type { Authorizer } from './authorizer.js';
import {
  OPERATION_NAMES,
  PatternType,
  PERMISSION_NAMES,
  PermissionType,
  RESOURCE_TYPE_NAMES,
  type AccessControlEntry,
  type AclOperation,
  type ConcreteResourceType,
  type ResourcePattern,
} from './model.js';

const LITERAL_ROOT = '/kafka-acl';
const PREFIXED_ROOT = '/kafka-acl-extended/prefixed';
const LITERAL_CHANGES = '/kafka-acl-changes';
const EXTENDED_CHANGES = '/kafka-acl-extended-changes';
const CHANGE_PREFIX = 'acl_changes_';
/** Read-modify-write rounds lost to other writers before giving up; each loses only to a finished write. */
const MAX_UPDATE_ATTEMPTS = 20;

const TYPE_BY_NAME = new Map(Object.entries(RESOURCE_TYPE_NAMES).map(([code, name]) => [name, Number(code) as ConcreteResourceType]));
const OPERATION_BY_NAME = new Map(Object.entries(OPERATION_NAMES).map(([code, name]) => [name, Number(code) as AclOperation]));

function rootOf(patternType: ResourcePattern['patternType']): string {
  return patternType === PatternType.LITERAL ? LITERAL_ROOT : PREFIXED_ROOT;
}

function pathOf(p: ResourcePattern): string {
  return `${rootOf(p.patternType)}/${RESOURCE_TYPE_NAMES[p.resourceType]}/${p.name}`;
}

export function encodeAcls(entries: readonly AccessControlEntry[]): Buffer {
  const acls = entries.map((e) => ({ principal: e.principal, permissionType: PERMISSION_NAMES[e.permission], operation: OPERATION_NAMES[e.operation], host: e.host }));
  return Buffer.from(JSON.stringify({ version: 1, acls }));
}

/** The entries a znode holds; entries Skein cannot read are skipped with a log line, never fatal. */
export function decodeAcls(data: Buffer | null, log: Logger, path: string): AccessControlEntry[] {
  if (data === null || data.length === 0) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    log.warn({ path }, 'ACL znode is not JSON; ignored');
    return [];
  }
  const acls = (parsed as { acls?: unknown }).acls;
  if (!Array.isArray(acls)) return [];
  const out: AccessControlEntry[] = [];
  for (const a of acls as Record<string, unknown>[]) {
    const operation = OPERATION_BY_NAME.get(String(a.operation));
    const permission = a.permissionType === 'Allow' ? PermissionType.ALLOW : a.permissionType === 'Deny' ? PermissionType.DENY : undefined;
    if (operation === undefined || permission === undefined || typeof a.principal !== 'string' || typeof a.host !== 'string') {
      log.warn({ path, acl: a }, 'ACL entry not understood; ignored');
      continue;
    }
    out.push({ principal: a.principal, host: a.host, operation, permission });
  }
  return out;
}

function sameEntry(a: AccessControlEntry, b: AccessControlEntry): boolean {
  return a.principal === b.principal && a.host === b.host && a.operation === b.operation && a.permission === b.permission;
}

export class ZkAclStore {
  /** Notifications re-read one at a time, in order. */
  private applying: Promise<void> = Promise.resolve();
  /** The sequence names of notifications already applied, per directory. */
  private readonly seen = new Map<string, Set<string>>();

  constructor(
    private readonly zk: ZooKeeperClient,
    private readonly authorizer: Authorizer,
    private readonly log: Logger,
  ) {}

  /** Creates the directories, watches the notifications and reads every ACL; again after a new session. */
  async arm(): Promise<void> {
    for (const dir of [LITERAL_ROOT, PREFIXED_ROOT, LITERAL_CHANGES, EXTENDED_CHANGES]) await ensurePath(this.zk, dir);
    for (const dir of [LITERAL_CHANGES, EXTENDED_CHANGES]) {
      await this.zk.addWatch(dir, () => this.queue(() => this.readChanges(dir)), 'persistent');
      // What is there now is covered by the full read below.
      this.seen.set(dir, new Set(await this.zk.getChildren(dir)));
    }
    await this.queue(() => this.readAll());
  }

  private queue(task: () => Promise<void>): Promise<void> {
    const next = this.applying.then(task).catch((err: unknown) => this.log.warn({ err }, 'reading ACLs from ZooKeeper failed'));
    this.applying = next;
    return next;
  }

  private async readAll(): Promise<void> {
    for (const patternType of [PatternType.LITERAL, PatternType.PREFIXED] as const) {
      for (const [typeName, resourceType] of TYPE_BY_NAME) {
        const dir = `${rootOf(patternType)}/${typeName}`;
        let names: string[];
        try {
          names = await this.zk.getChildren(dir);
        } catch (err) {
          if (isKeeperError(err, ZkError.noNode)) continue;
          throw err;
        }
        for (const name of names) await this.readResource({ resourceType, name, patternType });
      }
    }
  }

  private async readResource(pattern: ResourcePattern): Promise<void> {
    this.authorizer.setEntries(pattern, (await this.read(pattern)).entries);
  }

  private async read(pattern: ResourcePattern): Promise<{ entries: AccessControlEntry[]; version: number | undefined }> {
    const path = pathOf(pattern);
    try {
      const { data, stat } = await this.zk.getData(path);
      return { entries: decodeAcls(data, this.log, path), version: stat.version };
    } catch (err) {
      if (isKeeperError(err, ZkError.noNode)) return { entries: [], version: undefined };
      throw err;
    }
  }

  /** Applies the notifications under `dir` not seen yet. */
  private async readChanges(dir: string): Promise<void> {
    const seen = this.seen.get(dir)!;
    const children = (await this.zk.getChildren(dir)).filter((c) => c.startsWith(CHANGE_PREFIX)).sort();
    // Forget the purged ones so the set stays as small as the directory.
    for (const s of seen) if (!children.includes(s)) seen.delete(s);
    for (const child of children) {
      if (seen.has(child)) continue;
      seen.add(child);
      let data: Buffer | null;
      try {
        data = (await this.zk.getData(`${dir}/${child}`)).data;
      } catch (err) {
        if (isKeeperError(err, ZkError.noNode)) continue;
        throw err;
      }
      const pattern = this.patternOfChange(dir, data);
      if (pattern) await this.readResource(pattern);
      else this.log.warn({ path: `${dir}/${child}` }, 'ACL change notification not understood; ignored');
    }
  }

  private patternOfChange(dir: string, data: Buffer | null): ResourcePattern | undefined {
    const text = data?.toString('utf8') ?? '';
    if (dir === LITERAL_CHANGES) {
      // "Topic:orders": the name may itself hold colons.
      const colon = text.indexOf(':');
      const resourceType = TYPE_BY_NAME.get(text.slice(0, colon));
      return colon > 0 && resourceType !== undefined ? { resourceType, name: text.slice(colon + 1), patternType: PatternType.LITERAL } : undefined;
    }
    try {
      const change = JSON.parse(text) as { resourceType?: string; name?: string; patternType?: string };
      const resourceType = TYPE_BY_NAME.get(String(change.resourceType));
      if (resourceType === undefined || typeof change.name !== 'string') return undefined;
      if (change.patternType === 'Prefixed') return { resourceType, name: change.name, patternType: PatternType.PREFIXED };
      if (change.patternType === 'Literal') return { resourceType, name: change.name, patternType: PatternType.LITERAL };
      return undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Adds and removes entries of one pattern, conditional on the znode version so concurrent writers on
   * any broker lose nothing; then notifies every broker. Resolves with the entries removed (those present).
   */
  async update(pattern: ResourcePattern, add: readonly AccessControlEntry[], remove: readonly AccessControlEntry[]): Promise<AccessControlEntry[]> {
    const path = pathOf(pattern);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const { entries, version } = await this.read(pattern);
      const removed = entries.filter((e) => remove.some((r) => sameEntry(e, r)));
      const kept = entries.filter((e) => !removed.includes(e));
      const next = [...kept, ...add.filter((a) => !kept.some((e) => sameEntry(e, a)))];
      const unchanged = removed.length === 0 && next.length === entries.length;
      try {
        if (unchanged) {
          this.authorizer.setEntries(pattern, entries);
          return [];
        }
        if (version === undefined) {
          await ensurePath(this.zk, path.slice(0, path.lastIndexOf('/')));
          await this.zk.create(path, encodeAcls(next));
        } else if (next.length === 0) {
          await this.zk.delete(path, version);
        } else {
          await this.zk.setData(path, encodeAcls(next), version);
        }
      } catch (err) {
        // Another writer was first: read again and redo the change over theirs.
        if (isKeeperError(err, ZkError.badVersion) || isKeeperError(err, ZkError.nodeExists) || isKeeperError(err, ZkError.noNode)) continue;
        throw err;
      }
      this.authorizer.setEntries(pattern, next);
      await this.notify(pattern);
      return removed;
    }
    throw new Error(`ACLs of ${path} kept changing under ${MAX_UPDATE_ATTEMPTS} attempts`);
  }

  private async notify(p: ResourcePattern): Promise<void> {
    const typeName = RESOURCE_TYPE_NAMES[p.resourceType];
    const [dir, data] =
      p.patternType === PatternType.LITERAL
        ? [LITERAL_CHANGES, `${typeName}:${p.name}`]
        : [EXTENDED_CHANGES, JSON.stringify({ version: 1, resourceType: typeName, name: p.name, patternType: 'Prefixed' })];
    const created = await this.zk.create(`${dir}/${CHANGE_PREFIX}`, Buffer.from(data), { mode: 'persistentSequential' });
    // Our own change is in our cache already.
    this.seen.get(dir)?.add(created.slice(dir.length + 1));
    await purgeExpiredChanges(this.zk, dir, CHANGE_PREFIX, created, Date.now(), CHANGE_NOTIFICATION_EXPIRY_MS);
  }
}
