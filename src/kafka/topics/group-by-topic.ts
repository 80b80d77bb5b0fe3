// Per-partition results regrouped by topic, in first-seen order, as responses nest them (topic, then its
// partitions).
export function groupByTopic<T extends { topic: string }>(items: readonly T[]): [string, T[]][] {
  const byTopic = new Map<string, T[]>();
  for (const item of items) {
    const list = byTopic.get(item.topic);
    if (list) list.push(item);
    else byTopic.set(item.topic, [item]);
  }
  return [...byTopic];
}
