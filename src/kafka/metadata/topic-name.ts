// Kafka's topic name rules (Topic.validate): what CreateTopics and auto-creation accept.

export const TOPIC_NAME_MAX_CHARS = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Why `name` cannot be a topic, or undefined when it can. */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name cannot be "${name}"`;
  if (name.length > TOPIC_NAME_MAX_CHARS) return `topic name is longer than ${TOPIC_NAME_MAX_CHARS} characters`;
  if (!LEGAL.test(name)) return `topic name "${name}" has characters other than ASCII letters, digits, '.', '_' and '-'`;
  return undefined;
}

/** Topics whose names differ only by '.' versus '_' collide in metric names; Kafka refuses the second. */
export function collisionKey(name: string): string {
  return name.replaceAll('.', '_');
}

/** KRaft's metadata log; Kafka refuses to create a topic by this name. */
export const CLUSTER_METADATA_TOPIC = '__cluster_metadata';

export function isInternalTopic(name: string): boolean {
  return name === '__consumer_offsets' || name === '__transaction_state';
}
