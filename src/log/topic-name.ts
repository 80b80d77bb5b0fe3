// Which topic names are legal: Kafka's rules (Topic.validate), used by CreateTopics, auto-creation,
// Metadata and DescribeConfigs. They live with the log because each partition is a directory named
// `<topic>-<partition>`, and these rules are what make a topic name safe as part of a file name.

const TOPIC_NAME_MAX_CHARS = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Why `name` cannot be a topic, or undefined when it can. */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name cannot be "${name}"`;
  if (name.length > TOPIC_NAME_MAX_CHARS) return `topic name is longer than ${TOPIC_NAME_MAX_CHARS} characters`;
  if (!LEGAL.test(name)) return `topic name "${name}" has characters other than ASCII letters, digits, '.', '_' and '-'`;
  return undefined;
}
