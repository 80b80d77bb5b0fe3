// One classic consumer group: its state, generation, members and offsets, with the bookkeeping Kafka's
// GroupMetadata keeps (static member ids, members still to rejoin or sync, protocol support counts).
// It makes no decisions about time or replies; the coordinator does.
import { DecodeError } from '../../../protocol/bytes.js';
import {
  CONSUMER_PROTOCOL_TYPE,
  decodeSubscribedTopics,
} from '../../../protocol/kafka/consumer-offsets/consumer-protocol.js';
import type { JoinGroupProtocol, JoinGroupResponseMember } from './api.js';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { GroupOffsets } from './group-offsets.js';
import type { GroupMember, Waiter } from './member.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** The states each state may be entered from (Kafka: GroupState.validPreviousStates). */
const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export class ClassicGroup<T> {
  private currentState: GroupState = 'Empty';
  private priorState: GroupState = 'Empty';
  /** When the group entered its state; -1 when unknown (a group loaded from an old record). */
  stateTimestampMs: number;
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  leaderId: string | null = null;
  /** Members by id, in the order they joined. */
  readonly members = new Map<string, GroupMember<T>>();
  /** group.instance.id -> member id of static members. */
  private readonly staticMembers = new Map<string, string>();
  /** Ids handed out with MEMBER_ID_REQUIRED whose owners have not joined with them yet. */
  readonly pendingMembers = new Set<string>();
  /** Members of the current generation that have not sent SyncGroup yet. */
  readonly pendingSync = new Set<string>();
  private awaitingJoin = 0;
  /** How many members support each protocol name. */
  private readonly protocolSupport = new Map<string, number>();
  /** A member joined during the initial rebalance delay, so the delay may be extended. */
  newMemberAdded = false;
  /** Topics the members subscribe to (consumer protocol); null when unknown. */
  subscribedTopics: ReadonlySet<string> | null = null;
  readonly offsets = new GroupOffsets();

  constructor(
    readonly groupId: string,
    nowMs: number,
  ) {
    this.stateTimestampMs = nowMs;
  }

  get state(): GroupState {
    return this.currentState;
  }

  get previousState(): GroupState {
    return this.priorState;
  }

  is(state: GroupState): boolean {
    return this.currentState === state;
  }

  transitionTo(state: GroupState, nowMs: number): void {
    if (!VALID_PREVIOUS[state].includes(this.currentState)) {
      throw new Error(`group ${this.groupId}: ${this.currentState} -> ${state} is not a valid transition`);
    }
    this.priorState = this.currentState;
    this.currentState = state;
    this.stateTimestampMs = nowMs;
  }

  /** Sets a loaded group's state without the transition rules (only Empty or Stable are stored). */
  restoreState(state: 'Empty' | 'Stable', stateTimestampMs: number): void {
    this.currentState = state;
    this.stateTimestampMs = stateTimestampMs;
  }

  /** Whether a rebalance may start from the current state. */
  get canRebalance(): boolean {
    return VALID_PREVIOUS.PreparingRebalance.includes(this.currentState);
  }

  get size(): number {
    return this.members.size;
  }

  get numAwaitingJoin(): number {
    return this.awaitingJoin;
  }

  member(memberId: string): GroupMember<T> | undefined {
    return this.members.get(memberId);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  staticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  add(member: GroupMember<T>): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) {
        throw new Error(`group ${this.groupId} already has static member ${member.groupInstanceId}`);
      }
      this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.countProtocols(member.protocols, 1);
    if (member.isAwaitingJoin) this.awaitingJoin++;
    this.pendingMembers.delete(member.memberId);
  }

  /** Removes a member (whose parked requests the caller has answered) and picks a new leader if needed. */
  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (member) {
      this.members.delete(memberId);
      this.countProtocols(member.protocols, -1);
      if (member.isAwaitingJoin) this.awaitingJoin--;
      if (member.groupInstanceId !== null) this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    this.pendingMembers.delete(memberId);
    this.pendingSync.delete(memberId);
  }

  setJoinWaiter(member: GroupMember<T>, waiter: Waiter<T> | undefined): void {
    if (waiter && !member.isAwaitingJoin) this.awaitingJoin++;
    else if (!waiter && member.isAwaitingJoin) this.awaitingJoin--;
    member.joinWaiter = waiter;
  }

  /** Takes the member's parked JoinGroup, if any, for the caller to answer. */
  takeJoinWaiter(member: GroupMember<T>): Waiter<T> | undefined {
    const waiter = member.joinWaiter;
    this.setJoinWaiter(member, undefined);
    return waiter;
  }

  updateMember(member: GroupMember<T>, protocols: JoinGroupProtocol[], rebalanceTimeoutMs: number, sessionTimeoutMs: number): void {
    this.countProtocols(member.protocols, -1);
    member.protocols = protocols;
    this.countProtocols(protocols, 1);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
  }

  /** Gives a static member a new member id, keeping everything else (Kafka: replaceStaticMember). */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): GroupMember<T> {
    const member = this.members.get(oldMemberId);
    if (!member) throw new Error(`group ${this.groupId} has no member ${oldMemberId} to replace`);
    this.members.delete(oldMemberId);
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    if (this.pendingSync.delete(oldMemberId)) this.pendingSync.add(newMemberId);
    this.staticMembers.set(groupInstanceId, newMemberId);
    return member;
  }

  /**
   * Kafka's validateCurrentMember: a static member must present the member id its instance id maps
   * to (else it is fenced); anyone else must be a member.
   */
  validateMember(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = this.staticMembers.get(groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (current !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  get hasAllMembersJoined(): boolean {
    return this.members.size === this.awaitingJoin && this.pendingMembers.size === 0;
  }

  /** Members that have not rejoined during this rebalance. */
  notYetRejoined(): Array<GroupMember<T>> {
    return [...this.members.values()].filter((m) => !m.isAwaitingJoin);
  }

  /**
   * Keeps the leader if it rejoined, else makes the first rejoined member leader. False when no
   * member rejoined (or there is no leader at all), so the generation cannot be completed.
   */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    if (this.members.get(this.leaderId)?.isAwaitingJoin) return true;
    for (const m of this.members.values()) {
      if (m.isAwaitingJoin) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  /** The largest rebalance timeout among the members: how long a rebalance may wait for them. */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /**
   * The protocol every member supports that gets the most first-choice votes; a tie goes to the
   * protocol voted for first (Kafka leaves ties to hash order).
   */
  selectProtocol(): string {
    if (this.members.size === 0) throw new Error(`cannot select a protocol for empty group ${this.groupId}`);
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.vote(candidates);
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = 0;
    for (const [name, n] of votes) {
      if (n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    }
    return best;
  }

  private candidateProtocols(): Set<string> {
    const all = new Set<string>();
    for (const [name, n] of this.protocolSupport) if (n === this.members.size) all.add(name);
    return all;
  }

  /**
   * Whether a member with this protocol type and these protocols may join: an empty group takes any
   * non-empty offer; otherwise the type must match and one protocol must be supported by all members.
   */
  supportsProtocols(protocolType: string, protocols: readonly JoinGroupProtocol[]): boolean {
    if (this.is('Empty')) return protocolType !== '' && protocols.length > 0;
    return (
      this.protocolType === protocolType && protocols.some((p) => this.protocolSupport.get(p.name) === this.members.size)
    );
  }

  private countProtocols(protocols: readonly JoinGroupProtocol[], delta: 1 | -1): void {
    for (const p of protocols) {
      const n = (this.protocolSupport.get(p.name) ?? 0) + delta;
      if (n === 0) this.protocolSupport.delete(p.name);
      else this.protocolSupport.set(p.name, n);
    }
  }

  /** Starts the next generation: CompletingRebalance with a chosen protocol, or Empty without members. */
  initNextGeneration(nowMs: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.transitionTo('CompletingRebalance', nowMs);
    } else {
      this.protocolName = null;
      this.transitionTo('Empty', nowMs);
    }
    this.subscribedTopics = this.computeSubscribedTopics();
    this.pendingSync.clear();
  }

  /**
   * The union of the members' subscribed topics for a "consumer" group, read from the v0 prefix of
   * their subscriptions; null (unknown) for other protocol types or unreadable metadata.
   */
  computeSubscribedTopics(): ReadonlySet<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    try {
      for (const m of this.members.values()) {
        for (const t of decodeSubscribedTopics(m.metadataFor(this.protocolName))) topics.add(t);
      }
    } catch (err) {
      if (err instanceof DecodeError) return null;
      throw err;
    }
    return topics;
  }

  /** Unknown subscriptions count as subscribed: deleting offsets in use must not happen by accident. */
  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics === null || this.subscribedTopics.has(topic);
  }

  /** What the leader is given in its JoinGroup response: every member's metadata for the chosen protocol. */
  currentMemberMetadata(): JoinGroupResponseMember[] {
    const protocol = this.protocolName;
    if (protocol === null) throw new Error(`group ${this.groupId} has no protocol in ${this.currentState}`);
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadataFor(protocol),
    }));
  }

  /** An Empty group nothing refers to: no members, no pending ids, no offsets, never written to the log. */
  get isUnused(): boolean {
    return (
      this.is('Empty') &&
      this.generationId === 0 &&
      this.members.size === 0 &&
      this.pendingMembers.size === 0 &&
      this.offsets.isEmpty
    );
  }
}
