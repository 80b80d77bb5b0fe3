/** Items a request names more than once. Kafka refuses those entries rather than guess which one was meant. */
export function repeated<T>(items: Iterable<T>): Set<T> {
  const seen = new Set<T>();
  const twice = new Set<T>();
  for (const item of items) {
    if (seen.has(item)) twice.add(item);
    seen.add(item);
  }
  return twice;
}
