// Online migration between the classic and the KIP-848 group protocols (Kafka's
// group.consumer.migration.policy): what one coordinator hands the other when a group id changes
// protocol with members in it. An upgrade happens when a ConsumerGroupHeartbeat member joins a classic
// group whose members use the "consumer" embedded protocol; a downgrade when the last KIP-848 member
// leaves a consumer group whose other members speak the classic protocol, or is replaced by a classic
// static member (the same group.instance.id under a new member id). Committed offsets stay where
// they are (the classic coordinator keeps them for both kinds).
import type { MemberInit } from './member.js';

/** group.consumer.migration.policy: which conversions of groups with members are allowed. */
export type MigrationPolicy = 'bidirectional' | 'upgrade' | 'downgrade' | 'disabled';

export function upgradeAllowed(policy: MigrationPolicy): boolean {
  return policy === 'bidirectional' || policy === 'upgrade';
}

export function downgradeAllowed(policy: MigrationPolicy): boolean {
  return policy === 'bidirectional' || policy === 'downgrade';
}

/**
 * A classic member as it moves between the coordinators: what a classic member is made of, with its
 * current assignment in the "consumer" protocol's encoding (empty: none).
 */
export type MigratingMember = Omit<MemberInit, 'protocolType' | 'assignment'> & { assignment: Buffer };

/** A group's classic members and generation: what a conversion carries from one coordinator to the other. */
export interface MigratingGroup {
  groupId: string;
  /** The classic generation, or the consumer group's epoch: the other side continues from it. */
  generationId: number;
  /** The classic group's chosen protocol; null from a consumer group (the classic group votes anew). */
  protocolName: string | null;
  /**
   * Downgrades only: whether the classic group rebalances on arrival (a member left, or not everyone
   * held their target) or stays stable with the assignments carried (a static member was replaced).
   */
  rebalance?: boolean;
  members: MigratingMember[];
}
