// A linearizability checker for a register-free history of writes that all land in one total order
// (a replicated log): each write is invoked, maybe acknowledged, and maybe appears in the order.
// Linearizable means the order is a legal linearization: every acknowledged write appears exactly
// once, nothing appears that was not invoked, and a write acknowledged before another was invoked
// comes before it. Times are any monotonic clock; use the scheduler's step count for a total order.

export interface WriteOp {
  id: string;
  invokedAt: number;
  ackedAt: number | null;
}

/** A description of the first violation, or null when the history is linearizable. */
export function checkWriteHistory(ops: readonly WriteOp[], order: readonly string[]): string | null {
  const byId = new Map(ops.map((o) => [o.id, o]));
  const position = new Map<string, number>();
  for (const [i, id] of order.entries()) {
    if (!byId.has(id)) return `${id} at position ${i} was never invoked`;
    if (position.has(id)) return `${id} appears at positions ${position.get(id)} and ${i}`;
    position.set(id, i);
  }
  for (const o of ops) if (o.ackedAt !== null && !position.has(o.id)) return `acknowledged write ${o.id} is lost`;
  // Scan in log order, keeping the latest-invoked write so far: one acknowledged before it began
  // must not come after it.
  let latest: WriteOp | null = null;
  for (const id of order) {
    const o = byId.get(id)!;
    if (o.ackedAt !== null && latest !== null && o.ackedAt < latest.invokedAt) {
      return `${o.id} was acknowledged at ${o.ackedAt} before ${latest.id} was invoked at ${latest.invokedAt}, yet comes after it`;
    }
    if (latest === null || o.invokedAt > latest.invokedAt) latest = o;
  }
  return null;
}
