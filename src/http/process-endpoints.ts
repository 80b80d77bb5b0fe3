// What one Skein process serves over HTTP: a broker's metrics, a ZooKeeper server's metrics and
// AdminServer commands, or both (skein start), plus Node's process metrics, health and readiness.
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { BrokerView } from '../metrics/broker-view.js';
import type { Logger } from '../logger.js';
import type { ConnectionSecurity } from '../kafka/client/connection.js';
import { kafkaMetrics } from '../metrics/kafka-metrics.js';
import { clientTelemetryMetrics, registerPushedFamilies } from '../metrics/client-telemetry-metrics.js';
import { registerScraped } from '../metrics/scraped.js';
import { zookeeperMetrics } from '../metrics/zookeeper-metrics.js';
import type { ServerView } from '../zookeeper/four-letter-words.js';
import { createConsole } from '../console/console-api.js';
import type { ConsoleSecurity } from '../console/console-auth.js';
import { startHttp, type RunningHttp } from './http-listener.js';
import { brokerChecks, storageWritable, zookeeperChecks } from './readiness.js';

export interface ProcessParts {
  readonly broker?: BrokerView;
  readonly zookeeper?: ServerView;
  /** Every data directory the process writes: /readyz checks each is writable. */
  readonly dataDirs: readonly string[];
  /**
   * Set to serve the web console: the node's own Kafka and ZooKeeper addresses, and whether it may change
   * anything (console.read.only; unset: it may on a loopback listener, not on one others can reach).
   */
  readonly console?: {
    /** Undefined on a ZooKeeper server alone (its console has no Kafka pages). */
    readonly bootstrap: string | undefined;
    /** How `bootstrap` is reached (TLS, SASL login), as brokers reach each other. */
    readonly kafkaSecurity?: ConnectionSecurity;
    /** Undefined for a broker without zookeeper.connect (its console has no ZooKeeper pages). */
    readonly zookeeperConnect: string | undefined;
    readonly readOnly: boolean | undefined;
    /** Set when the broker has a SASL listener or an authorizer: the console then requires a login. */
    readonly security: ConsoleSecurity | undefined;
  };
}

/** Loopback addresses: the console then refuses requests naming any other host (DNS rebinding). */
const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

export function processRegistry(parts: ProcessParts): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const broker = parts.broker ? [...kafkaMetrics(parts.broker), ...clientTelemetryMetrics(parts.broker)] : [];
  const metrics = [...broker, ...(parts.zookeeper ? zookeeperMetrics(parts.zookeeper) : [])];
  for (const m of metrics) registerScraped(registry, m);
  // After Skein's own, so a pushed family never takes one of their names.
  if (parts.broker) registerPushedFamilies(registry, parts.broker);
  return registry;
}

export function startProcessHttp(address: { host: string; port: number }, parts: ProcessParts, log: Logger): Promise<RunningHttp> {
  const dirs = [...new Set(parts.dataDirs)];
  const c = parts.console;
  const loopback = isLoopback(address.host);
  // With a login, the authorizer decides who may write; without, a console others can reach is read-only.
  const web = c && createConsole({ ...c, readOnly: c.readOnly ?? (c.security === undefined && !loopback), broker: parts.broker, zookeeper: parts.zookeeper, dataDirs: dirs, startedAt: Date.now(), loopbackOnly: loopback, log });
  return startHttp(
    { ...address, log },
    {
      registry: processRegistry(parts),
      zookeeper: parts.zookeeper,
      console: web,
      async readiness() {
        const storage = await Promise.all(dirs.map(storageWritable));
        return [...storage, ...(parts.zookeeper ? zookeeperChecks(parts.zookeeper) : []), ...(parts.broker ? brokerChecks(parts.broker) : [])];
      },
    },
  );
}
