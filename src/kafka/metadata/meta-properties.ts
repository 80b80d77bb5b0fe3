import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProperties } from '../../config/properties.js';
import { writeFileAtomic } from '../../fs/atomic-file.js';

/** A new cluster id in Kafka's form: a random UUID as 22 characters of unpadded base64url. */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Reads or creates `<dataDir>/meta.properties`, which pins the cluster id and broker id to the data as
 * Kafka's does, so a data directory is never silently served under another identity.
 */
export async function loadOrCreateMetaProperties(dataDir: string, brokerId: number): Promise<{ clusterId: string }> {
  const path = join(dataDir, 'meta.properties');
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text !== undefined) {
    const props = new Map(parseProperties(text).map((e) => [e.key, e.value]));
    const storedBroker = Number(props.get('broker.id'));
    if (storedBroker !== brokerId) {
      throw new Error(`${path} belongs to broker.id ${props.get('broker.id')}, but this broker is ${brokerId}`);
    }
    const clusterId = props.get('cluster.id');
    if (!clusterId) throw new Error(`${path} has no cluster.id`);
    return { clusterId };
  }
  const clusterId = newClusterId();
  await writeFileAtomic(path, `version=0\nbroker.id=${brokerId}\ncluster.id=${clusterId}\n`);
  return { clusterId };
}
