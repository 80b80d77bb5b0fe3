// /readyz: whether this process can do its job now, each condition checked on its own so the answer
// says which one fails. Bounded work: one small file written per data directory, in-memory state otherwise.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrokerView } from '../metrics/broker-view.js';
import type { ServerView } from '../zookeeper/four-letter-words.js';

export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** A file written and removed in each data directory: a full disk or a read-only mount fails it. */
const PROBE_FILE = '.readyz-probe';

export async function storageWritable(dir: string): Promise<ReadinessCheck> {
  const probe = join(dir, PROBE_FILE);
  try {
    await writeFile(probe, 'ok');
    await rm(probe, { force: true });
    return { name: `storage writable: ${dir}`, ok: true };
  } catch (err) {
    return { name: `storage writable: ${dir}`, ok: false, detail: (err as Error).message };
  }
}

/** The broker's ZooKeeper session (cluster mode) is connected, and its group and transaction coordinators have loaded their state. */
export function brokerChecks(broker: BrokerView): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [];
  const cluster = broker.cluster;
  if (cluster) {
    const state = cluster.membership.zk.state;
    checks.push({ name: 'zookeeper reachable', ok: state === 'connected', detail: `session ${state}` });
  }
  // absent: the internal topic does not exist yet, so there is nothing to load.
  const groups = broker.groups.state;
  checks.push({ name: 'group state loaded', ok: groups === 'ready' || groups === 'absent', detail: groups });
  const transactions = broker.transactions.state;
  checks.push({ name: 'transaction state loaded', ok: transactions === 'ready' || transactions === 'absent', detail: transactions });
  return checks;
}

/** The ZooKeeper server serves (an ensemble member: it has a quorum, or serves read-only by choice). */
export function zookeeperChecks(s: ServerView): ReadinessCheck[] {
  return [{ name: 'zookeeper serving', ok: s.serving && (s.ensemble?.serving() ?? true), detail: s.mode ?? 'not in sync with a leader' }];
}
