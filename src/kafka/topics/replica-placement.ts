// Where the replicas of new partitions go, by Kafka's rules (AdminUtils.assignReplicasToBrokers): the
// first replica of consecutive partitions walks round the brokers from a random start, the others follow
// at a shift that changes every full round, so leaders and followers spread evenly. With racks, brokers
// are ordered alternating racks and a partition takes at most one replica per rack until every rack has
// one. Pure: the random start and shift come in.

export interface PlacementBroker {
  id: number;
  rack: string | null;
}

export class PlacementError extends Error {
  override readonly name = 'PlacementError';
}

function replicaIndex(first: number, shift: number, j: number, n: number): number {
  return (first + 1 + ((shift + j) % (n - 1))) % n;
}

/** Brokers ordered rack by rack in turn (rack a, rack b, rack c, rack a, ...), as Kafka alternates them. */
function rackAlternated(brokers: readonly PlacementBroker[]): PlacementBroker[] {
  const byRack = new Map<string, PlacementBroker[]>();
  for (const b of [...brokers].sort((x, y) => x.id - y.id)) {
    const list = byRack.get(b.rack!) ?? [];
    list.push(b);
    byRack.set(b.rack!, list);
  }
  const racks = [...byRack.keys()].sort();
  const out: PlacementBroker[] = [];
  for (let i = 0; out.length < brokers.length; i++) {
    for (const r of racks) {
      const b = byRack.get(r)![i];
      if (b) out.push(b);
    }
  }
  return out;
}

/**
 * Replica lists for `partitions` new partitions numbered from `firstPartition`. `random` in [0, 1)
 * picks the start and the shift (Kafka picks both at random per call).
 */
export function placeReplicas(brokers: readonly PlacementBroker[], partitions: number, rf: number, firstPartition: number, random: () => number): number[][] {
  const n = brokers.length;
  if (rf > n) throw new PlacementError(`Replication factor: ${rf} larger than available brokers: ${n}.`);
  const withRack = brokers.filter((b) => b.rack !== null).length;
  if (withRack > 0 && withRack < n) throw new PlacementError('Not all brokers have rack information for replica rack aware assignment.');
  const rackAware = withRack === n && n > 0;
  const ordered = rackAware ? rackAlternated(brokers) : [...brokers].sort((a, b) => a.id - b.id);
  const numRacks = rackAware ? new Set(brokers.map((b) => b.rack)).size : 0;
  const start = Math.floor(random() * n);
  let shift = Math.floor(random() * n);
  const out: number[][] = [];
  for (let pid = firstPartition; pid < firstPartition + partitions; pid++) {
    if (pid > 0 && pid % n === 0) shift++;
    const first = (pid + start) % n;
    const leader = ordered[first]!;
    const replicas = [leader.id];
    if (!rackAware) {
      for (let j = 0; j < rf - 1; j++) replicas.push(ordered[replicaIndex(first, shift, j, n)]!.id);
    } else {
      const racksUsed = new Set([leader.rack]);
      const brokersUsed = new Set([leader.id]);
      let k = 0;
      while (replicas.length < rf) {
        const b = ordered[replicaIndex(first, shift * numRacks, k++, n)]!;
        // One replica per rack until every rack has one, and one per broker until every broker has one.
        const rackOk = !racksUsed.has(b.rack) || racksUsed.size === numRacks;
        const brokerOk = !brokersUsed.has(b.id) || brokersUsed.size === n;
        if (rackOk && brokerOk) {
          replicas.push(b.id);
          racksUsed.add(b.rack);
          brokersUsed.add(b.id);
        }
      }
    }
    out.push(replicas);
  }
  return out;
}
