// Quotas as ZooKeeper keeps them in the tree: a quota on /a is the node /zookeeper/quota/a/zookeeper_limits
// (written by clients such as zkCli's setquota), and the server keeps /zookeeper/quota/a/zookeeper_stats
// holding the subtree's node count and data bytes. Both hold StatsTrack text: `count=N,bytes=M`, then,
// when other fields are present, `=` and `;key=value` pairs in key order (the stray `=` makes pre-3.7
// parsers skip the hard limits).
import { parentOf } from '../../protocol/zookeeper/path.js';

export const QUOTA_PATH = '/zookeeper/quota';
const LIMIT_NODE = 'zookeeper_limits';
const STAT_NODE = 'zookeeper_stats';

export function limitPath(path: string): string {
  return `${QUOTA_PATH}${path}/${LIMIT_NODE}`;
}

export function statPath(path: string): string {
  return `${QUOTA_PATH}${path}/${STAT_NODE}`;
}

/**
 * The quota'd path a node under /zookeeper/quota describes, and which of the two nodes it is; undefined
 * for other nodes and for a quota on / (ZooKeeper keeps none there).
 */
export function quotaNodeOf(path: string): { path: string; kind: 'limits' | 'stats' } | undefined {
  if (!path.startsWith(`${QUOTA_PATH}/`)) return undefined;
  const parent = parentOf(path);
  const quotaed = parent.slice(QUOTA_PATH.length);
  if (quotaed === '') return undefined;
  const name = path.slice(parent.length + 1);
  if (name === LIMIT_NODE) return { path: quotaed, kind: 'limits' };
  if (name === STAT_NODE) return { path: quotaed, kind: 'stats' };
  return undefined;
}

const COUNT = 'count';
const BYTES = 'bytes';

/** ZooKeeper's StatsTrack: named long values, -1 when absent. */
export class StatsTrack {
  private readonly values = new Map<string, number>();

  /** Parses StatsTrack text; a field without a parsable value reads as -1 (absent). */
  static parse(data: Buffer | null): StatsTrack {
    const track = new StatsTrack();
    const text = data === null ? '' : data.toString('utf8');
    if (text === '') return track;
    for (const pair of text.split(/[,;]+/)) {
      const [key, value] = pair.split('=');
      if (key === undefined || key === '') continue;
      track.values.set(key, value !== undefined && /^[+-]?\d+$/.test(value) ? Number(value) : -1);
    }
    return track;
  }

  static counts(count: number, bytes: number): StatsTrack {
    const track = new StatsTrack();
    track.count = count;
    track.bytes = bytes;
    return track;
  }

  private get(key: string): number {
    return this.values.get(key) ?? -1;
  }

  get count(): number {
    return this.get(COUNT);
  }

  set count(v: number) {
    this.values.set(COUNT, v);
  }

  get bytes(): number {
    return this.get(BYTES);
  }

  set bytes(v: number) {
    this.values.set(BYTES, v);
  }

  get countHardLimit(): number {
    return this.get('countHardLimit');
  }

  get byteHardLimit(): number {
    return this.get('byteHardLimit');
  }

  toString(): string {
    const others = [...this.values.keys()].filter((k) => k !== COUNT && k !== BYTES).sort();
    const head = `${COUNT}=${this.count},${BYTES}=${this.bytes}`;
    return others.length === 0 ? head : `${head}=${others.map((k) => `;${k}=${this.values.get(k)}`).join('')}`;
  }
}

/** The deepest of `path` and its ancestors that has a quota (never /, which ZooKeeper keeps none on). */
export function quotaPrefixOf(path: string, hasQuota: (path: string) => boolean): string | undefined {
  for (let p = path; p !== '/' && p !== ''; p = parentOf(p)) {
    if (hasQuota(p)) return p;
  }
  return undefined;
}
