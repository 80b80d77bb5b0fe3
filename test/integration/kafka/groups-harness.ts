// Shared by the consumer group integration tests: polling for a condition, and a group member driven
// with raw requests over our codec, for exact control of versions and of what a client does wrong.
import { encodeConsumerAssignment, encodeConsumerSubscription } from '../../../protocol/kafka/consumer-offsets/consumer-protocol.js';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';

/** Polls `probe` until it returns something other than undefined; fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export function subscription(...topics: string[]): Buffer {
  return encodeConsumerSubscription({ version: 0, topics });
}

export function assignment(topic: string, ...partitions: number[]): Buffer {
  return encodeConsumerAssignment({ version: 0, assignedPartitions: [{ topic, partitions }] });
}

/** Waits for __consumer_offsets to exist and be loaded: FindCoordinator answers this broker. */
export async function findCoordinator(conn: KafkaConnection, groupId: string): Promise<void> {
  await waitFor(`the coordinator of ${groupId}`, async () => {
    const r = await conn.send(ApiKey.FindCoordinator, 3, { key: groupId, keyType: 0 });
    return r.errorCode === ErrorCode.NONE ? r : undefined;
  });
  // Loading follows creation. DescribeGroups is refused with COORDINATOR_LOAD_IN_PROGRESS until it is done;
  // a heartbeat is no probe, since Kafka answers it blindly while the group loads.
  await waitFor('the groups to be loaded', async () => {
    const r = await conn.send(ApiKey.DescribeGroups, 5, { groups: [groupId], includeAuthorizedOperations: false });
    return r.groups[0]!.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? undefined : r;
  });
}

export interface JoinOptions {
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  groupInstanceId?: string | null;
  protocols?: Array<{ name: string; metadata: Buffer }>;
  protocolType?: string;
}

/**
 * A dynamic member's JoinGroup at `version`, through the MEMBER_ID_REQUIRED round trip from v4. Resolves
 * when the rebalance answers it.
 */
export async function join(conn: KafkaConnection, groupId: string, version: number, options: JoinOptions = {}) {
  const body = {
    groupId,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
    rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 10_000,
    memberId: '',
    groupInstanceId: options.groupInstanceId ?? null,
    protocolType: options.protocolType ?? 'consumer',
    protocols: options.protocols ?? [{ name: 'range', metadata: subscription('t') }],
  };
  const first = await conn.send(ApiKey.JoinGroup, version, body);
  if (first.errorCode !== ErrorCode.MEMBER_ID_REQUIRED) return first;
  return conn.send(ApiKey.JoinGroup, version, { ...body, memberId: first.memberId });
}
