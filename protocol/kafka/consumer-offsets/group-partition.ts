// Which __consumer_offsets partition holds a group: Kafka's abs(groupId.hashCode()) % partitions, with
// Java's String.hashCode and Kafka's Utils.abs (which maps Integer.MIN_VALUE to 0). Clients never see
// this number, but keeping Kafka's mapping keeps a group's records where Kafka tooling expects them.

export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';

/** Java's String.hashCode over UTF-16 code units, as JavaScript strings hold them. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs: Math.abs, except Integer.MIN_VALUE (which has no positive twin) becomes 0. */
function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

export function partitionForGroup(groupId: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`bad partition count ${partitions}`);
  return kafkaAbs(javaStringHashCode(groupId)) % partitions;
}
