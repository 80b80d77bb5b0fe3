// How many partitions this broker may hold. Every partition keeps files open for as long as it exists,
// so the process's open-file limit bounds them: past it, opening a segment, a checkpoint or a client
// connection fails with EMFILE, for partitions and clients that have nothing to do with the request that
// used the descriptors up. The bound is max.broker.partitions (KIP-578's name) when set, else derived
// from the soft RLIMIT_NOFILE: Node cannot call getrlimit, but Linux shows it in /proc/self/limits.
import { readFileSync } from 'node:fs';

/**
 * Descriptors one partition is budgeted: its active segment's .log, .index and .timeindex, the .log of
 * one older segment (finished segments give their index descriptors back, but keep the .log open for
 * reads), and one for a checkpoint write or a directory fsync in flight.
 */
export const FILES_PER_PARTITION = 5;
/**
 * Descriptors kept for everything but partitions and client connections: stdio, the data directory
 * locks, the topic store, ZooKeeper's transaction log and snapshots under `skein start`, libuv's own.
 */
export const RESERVED_FILES = 64;

export interface PartitionLimit {
  /** Partitions this broker may hold. */
  maxPartitions: number;
  /** Where the number comes from, for messages and the start log. */
  source: string;
}

/** The soft "Max open files" limit in /proc/<pid>/limits text; undefined if absent or unlimited. */
export function parseOpenFileLimit(limitsText: string): number | undefined {
  const line = limitsText.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  if (soft === undefined || !/^\d+$/.test(soft)) return undefined;
  const n = Number(soft);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** This process's soft open-file limit (Node raises it to the hard limit at start); undefined off Linux. */
export function readOpenFileLimit(): number | undefined {
  try {
    return parseOpenFileLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The partitions `openFiles` descriptors leave room for once the reserve and the client connections
 * are set aside. Connections get max.connections, but at most half of what is left after the reserve:
 * a max.connections above the open-file limit cannot be honoured anyway (an accept past it fails and
 * the connection is dropped), and partitions must still get room.
 */
export function partitionsForOpenFiles(openFiles: number, maxConnections: number): number {
  const available = Math.max(0, openFiles - RESERVED_FILES);
  const connections = Math.min(maxConnections, Math.floor(available / 2));
  return Math.floor((available - connections) / FILES_PER_PARTITION);
}

/**
 * The bound in force: `configured` (max.broker.partitions) when set, else derived from `openFiles`;
 * without a known open-file limit (unlimited, or no /proc) there is none.
 */
export function partitionLimit(configured: number | undefined, openFiles: number | undefined, maxConnections: number): PartitionLimit {
  if (configured !== undefined) return { maxPartitions: configured, source: 'max.broker.partitions' };
  if (openFiles === undefined) return { maxPartitions: Number.MAX_SAFE_INTEGER, source: 'no open-file limit known' };
  return {
    maxPartitions: partitionsForOpenFiles(openFiles, maxConnections),
    source: `derived from the open-file limit of ${openFiles} and max.connections=${maxConnections}; max.broker.partitions sets it`,
  };
}
