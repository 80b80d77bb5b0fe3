// KIP-951: a client that sent Produce (v10+) or Fetch (v16+) to a broker that does not lead the partition
// is told the current leader and its epoch with the error, and the leader's endpoint in the response, so
// it can go there at once instead of after a metadata refresh.
import type { MetadataView } from './metadata-view.js';

export interface LeaderIdAndEpoch {
  leaderId: number;
  leaderEpoch: number;
}

export interface NodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

/** One partition's answer, with the slot the current leader goes in. */
export interface PartitionAnswer {
  topic: string;
  partition: number;
  /** A response entry of any version: its fields are optional until encoded. */
  answer: { errorCode?: number; currentLeader?: Partial<LeaderIdAndEpoch> };
}

/**
 * Fills the current leader of each answer whose error is one of `wrongLeader`, from the cluster metadata
 * (a partition with no leader known gets nothing), and returns the endpoints of those leaders as the
 * client's listener reaches them.
 */
export function leaderHints(answers: Iterable<PartitionAnswer>, wrongLeader: ReadonlySet<number>, metadata: MetadataView, listener: string): NodeEndpoint[] {
  const wanted = new Set<number>();
  for (const a of answers) {
    if (a.answer.errorCode === undefined || !wrongLeader.has(a.answer.errorCode)) continue;
    const view = metadata.partition(a.topic, a.partition);
    if (!view || view.leader < 0) continue;
    a.answer.currentLeader = { leaderId: view.leader, leaderEpoch: view.leaderEpoch };
    wanted.add(view.leader);
  }
  if (wanted.size === 0) return [];
  return metadata
    .liveBrokers(listener)
    .filter((b) => wanted.has(b.nodeId))
    .map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }));
}
