import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProperties } from '../../config/properties.js';
import { writeFileAtomic } from '../../fs/atomic-file.js';

/** A new cluster id in Kafka's form: a random UUID as 22 characters of unpadded base64url. */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

const pathOf = (dataDir: string): string => join(dataDir, 'meta.properties');

function readMeta(dataDir: string): Map<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(pathOf(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return new Map(parseProperties(text).map((e) => [e.key, e.value]));
}

/** The cluster id `<dataDir>/meta.properties` holds, if any: a single node's data joining a cluster keeps its id. */
export function storedClusterId(dataDir: string): string | undefined {
  return readMeta(dataDir)?.get('cluster.id') || undefined;
}

/**
 * Reads or creates `<dataDir>/meta.properties`, which pins the cluster id and broker id to the data as
 * Kafka's does, so a data directory is never silently served under another identity. In a cluster
 * `clusterIdOfCluster` is the one ZooKeeper holds: data of another cluster is refused, as Kafka refuses it
 * (InconsistentClusterIdException), and a new directory takes it.
 */
export async function loadOrCreateMetaProperties(dataDir: string, brokerId: number, clusterIdOfCluster?: string): Promise<{ clusterId: string }> {
  const path = pathOf(dataDir);
  const props = readMeta(dataDir);
  if (props !== undefined) {
    const storedBroker = Number(props.get('broker.id'));
    if (storedBroker !== brokerId) {
      throw new Error(`${path} belongs to broker.id ${props.get('broker.id')}, but this broker is ${brokerId}`);
    }
    const clusterId = props.get('cluster.id');
    if (!clusterId) throw new Error(`${path} has no cluster.id`);
    if (clusterIdOfCluster !== undefined && clusterId !== clusterIdOfCluster) {
      throw new Error(`${path} has cluster.id ${clusterId}, but the cluster in ZooKeeper is ${clusterIdOfCluster}: this data belongs to another cluster`);
    }
    return { clusterId };
  }
  const clusterId = clusterIdOfCluster ?? newClusterId();
  await writeFileAtomic(path, `version=0\nbroker.id=${brokerId}\ncluster.id=${clusterId}\n`);
  return { clusterId };
}
