// Every limit of the consensus core in one place, validated before a node is built.
import { NO_NODE, type Membership, type NodeId } from './types.js';
import { ZXID_COUNTER_MAX } from './zxid.js';

export interface ConsensusConfig {
  readonly id: NodeId;
  readonly membership: Membership;
  /** Ticks without hearing a leader before a voter campaigns; each timeout is drawn from [n, 2n). */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /**
   * Ticks a leader waits for a snapshot it sent to be acknowledged before it probes the follower again
   * (and sends another if still needed): ZooKeeper's initLimit, the time a server has to sync. Defaults
   * to electionTicks.
   */
  readonly snapshotTimeoutTicks: number;
  /** Append messages in flight to one follower before the leader waits for acknowledgements. */
  readonly inflightMessagesMax: number;
  /** Entry bytes per append message; a single larger entry still goes alone. */
  readonly messageBytesMax: number;
  /** Proposals the leader holds uncommitted before refusing more. */
  readonly uncommittedEntriesMax: number;
  /** Entry payload bytes a proposal may carry. */
  readonly entryBytesMax: number;
  /** The last zxid counter a leader uses before it starts a new epoch. */
  readonly zxidCounterMax: number;
  /** Read-index requests (syncs) the leader holds unconfirmed before refusing more. */
  readonly readsPendingMax: number;
}

export const CONSENSUS_DEFAULTS = {
  electionTicks: 10,
  heartbeatTicks: 1,
  inflightMessagesMax: 64,
  messageBytesMax: 1024 * 1024,
  uncommittedEntriesMax: 10_000,
  entryBytesMax: 1024 * 1024,
  zxidCounterMax: ZXID_COUNTER_MAX,
  readsPendingMax: 10_000,
} as const;

export class ConsensusConfigError extends Error {
  override readonly name = 'ConsensusConfigError';
}

type Input = Pick<ConsensusConfig, 'id' | 'membership'> & Partial<Omit<ConsensusConfig, 'id' | 'membership'>>;

export function consensusConfig(input: Input): ConsensusConfig {
  const c: ConsensusConfig = { ...CONSENSUS_DEFAULTS, snapshotTimeoutTicks: input.electionTicks ?? CONSENSUS_DEFAULTS.electionTicks, ...input };
  const fail = (msg: string): never => {
    throw new ConsensusConfigError(msg);
  };
  const positive = (name: keyof ConsensusConfig, v: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(v) || v < 1 || v > max) fail(`${name} must be an integer from 1 to ${max}, not ${v}`);
  };
  positive('id', c.id);
  const { voters, learners } = c.membership;
  for (const n of [...voters, ...learners]) if (!Number.isInteger(n) || n <= NO_NODE) fail(`server id ${n} is not a positive integer`);
  if (voters.length === 0) fail('at least one voter is needed');
  const all = new Set([...voters, ...learners]);
  if (all.size !== voters.length + learners.length) fail('a server is listed twice, or as both voter and learner');
  if (!all.has(c.id)) fail(`server ${c.id} is not a member of [${[...all].join(', ')}]`);
  positive('heartbeatTicks', c.heartbeatTicks);
  positive('electionTicks', c.electionTicks);
  positive('snapshotTimeoutTicks', c.snapshotTimeoutTicks);
  // A follower must hear several heartbeats within one timeout, or one lost message starts an election.
  if (c.electionTicks <= 2 * c.heartbeatTicks) fail(`electionTicks (${c.electionTicks}) must exceed twice heartbeatTicks (${c.heartbeatTicks})`);
  positive('inflightMessagesMax', c.inflightMessagesMax, 1 << 16);
  positive('messageBytesMax', c.messageBytesMax, 1 << 30);
  positive('uncommittedEntriesMax', c.uncommittedEntriesMax, 1 << 24);
  positive('entryBytesMax', c.entryBytesMax, c.messageBytesMax);
  positive('readsPendingMax', c.readsPendingMax, 1 << 24);
  // The leader's no-op takes counter 1, so a term needs room for at least one proposal after it.
  if (!Number.isInteger(c.zxidCounterMax) || c.zxidCounterMax < 2 || c.zxidCounterMax > ZXID_COUNTER_MAX) {
    fail(`zxidCounterMax must be an integer from 2 to ${ZXID_COUNTER_MAX}, not ${c.zxidCounterMax}`);
  }
  return c;
}
