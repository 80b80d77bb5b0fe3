// Kafka's rules for particular topic names (which names are legal at all is the log's topicNameProblem).

/** Topics whose names differ only by '.' versus '_' collide in metric names; Kafka refuses the second. */
export function collisionKey(name: string): string {
  return name.replaceAll('.', '_');
}

/** KRaft's metadata log; Kafka refuses to create a topic by this name. */
export const CLUSTER_METADATA_TOPIC = '__cluster_metadata';

export function isInternalTopic(name: string): boolean {
  return name === '__consumer_offsets' || name === '__transaction_state';
}
