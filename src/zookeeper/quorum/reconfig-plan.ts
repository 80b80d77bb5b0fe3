// What a ZooKeeper `reconfig` asks for, and the single-server Raft changes that get the ensemble there.
// Pure functions: QuorumCore validates a request with them on the leader and walks the steps one
// committed change at a time (docs/consensus.md, "Reconfiguration", says why that is safe).
import { ErrorCode, KeeperError } from '../../../protocol/zookeeper/codes.js';
import type { Membership, MembershipChange, NodeId } from '../../consensus/types.js';
import { ConfigError } from '../../config/schema.js';
import { checkAddresses, parseServerLine, type EnsembleServer } from '../ensemble-config.js';

export interface ReconfigInput {
  /** Incremental: `server.N=...` lines to add or replace (a new role or address), comma separated. */
  readonly joiningServers: string;
  /** Incremental: server ids to remove, comma separated. */
  readonly leavingServers: string;
  /** Non-incremental: the whole new list of `server.N=...` lines, comma or newline separated. */
  readonly newMembers: string;
}

const list = (s: string, separator: RegExp) => s.split(separator).map((l) => l.trim()).filter((l) => l !== '');
const badArguments = () => new KeeperError(ErrorCode.badArguments);

/**
 * The servers a reconfig asks for, as ZooKeeper's PrepRequestProcessor computes them: `newMembers`
 * replaces the list, else leaving ids go and joining lines are added or replace the line of their id.
 * A leaving id that is not a member changes nothing, as in ZooKeeper. Throws KeeperError(BadArguments)
 * on a malformed line, a joining line without a client address (ZooKeeper needs all three ports) or
 * two servers claiming one address. Ids are parsed without an upper bound here: the caller checks the
 * range after the ACL, where ZooKeeper's checks would have stopped.
 */
export function reconfigTarget(current: readonly EnsembleServer[], r: ReconfigInput): EnsembleServer[] {
  const parse = (line: string): EnsembleServer => {
    const eq = line.indexOf('=');
    if (eq < 0) throw badArguments();
    return parseServerLine(line.slice(0, eq).trim(), line.slice(eq + 1).trim(), Number.MAX_SAFE_INTEGER);
  };
  try {
    let next: Map<NodeId, EnsembleServer>;
    if (r.newMembers.trim() !== '') {
      next = new Map();
      for (const s of list(r.newMembers, /[,\n]/).map(parse)) {
        if (next.has(s.id)) throw badArguments();
        next.set(s.id, s);
      }
    } else {
      next = new Map(current.map((s) => [s.id, s]));
      for (const id of list(r.leavingServers, /,/)) {
        if (!/^\d+$/.test(id)) throw badArguments();
        next.delete(Number(id));
      }
      for (const s of list(r.joiningServers, /,/).map(parse)) {
        if (s.client === null) throw badArguments();
        next.set(s.id, s);
      }
    }
    const servers = [...next.values()].sort((a, b) => a.id - b.id);
    checkAddresses(servers);
    return servers;
  } catch (err) {
    if (err instanceof ConfigError) throw badArguments();
    throw err;
  }
}

export function membershipOf(servers: readonly EnsembleServer[]): Membership {
  const ids = (role: EnsembleServer['role']) => servers.filter((s) => s.role === role).map((s) => s.id).sort((a, b) => a - b);
  return { voters: ids('participant'), learners: ids('observer') };
}

export function sameMembership(a: Membership, b: Membership): boolean {
  return a.voters.join() === b.voters.join() && a.learners.join() === b.learners.join();
}

/**
 * Single-server changes from `from` to `to`, in an order that keeps a synced majority in every
 * intermediate membership (`synced`: the servers quorumSynced counts, this leader included):
 * new observers; voters that leave or become observers while out of touch (the voter set shrinks
 * and loses no synced member); new and promoted voters, synced ones first (it grows, and the synced
 * part never falls behind a majority); the other departing voters and
 * observers (it shrinks); and `self`'s own demotion or removal last, so the leader leads until the
 * change that takes it out, and hands over once that is committed.
 */
export function planSteps(from: Membership, to: Membership, self: NodeId, synced: ReadonlySet<NodeId>): MembershipChange[] {
  const toAll = new Set([...to.voters, ...to.learners]);
  const fromAll = [...from.voters, ...from.learners].sort((a, b) => a - b);
  const leaving = (id: NodeId): MembershipChange => (toAll.has(id) ? { type: 'addLearner', id } : { type: 'remove', id });
  const voterGoes = (id: NodeId) => from.voters.includes(id) && !to.voters.includes(id);
  const steps: MembershipChange[] = [
    ...to.learners.filter((id) => !fromAll.includes(id)).map((id) => ({ type: 'addLearner' as const, id })),
    ...from.voters.filter((id) => voterGoes(id) && id !== self && !synced.has(id)).map(leaving),
    ...to.voters.filter((id) => !from.voters.includes(id) && synced.has(id)).map((id) => ({ type: 'addVoter' as const, id })),
    ...to.voters.filter((id) => !from.voters.includes(id) && !synced.has(id)).map((id) => ({ type: 'addVoter' as const, id })),
    ...from.voters.filter((id) => voterGoes(id) && id !== self && synced.has(id)).map(leaving),
    ...from.learners.filter((id) => !toAll.has(id)).map((id) => ({ type: 'remove' as const, id })),
  ];
  // A leader is a voter of the membership it plans from.
  if (voterGoes(self)) steps.push(leaving(self));
  return steps;
}

/**
 * ZooKeeper's isQuorumSynced: a majority of the new voters is this leader or a server it streams to and
 * heard from within syncLimit. With planSteps' order every intermediate membership then has a synced
 * majority too, as long as the synced servers stay up.
 */
export function quorumSynced(to: Membership, self: NodeId, synced: ReadonlySet<NodeId>): boolean {
  const n = to.voters.filter((id) => id === self || synced.has(id)).length;
  return n >= Math.floor(to.voters.length / 2) + 1;
}
