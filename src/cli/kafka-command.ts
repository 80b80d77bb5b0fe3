// `skein kafka --config server.properties`: the Kafka broker alone, configured as Apache Kafka is.
import { readFile } from 'node:fs/promises';
import { kafkaLayers } from '../config/layers.js';
import { ConfigError } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { brokerConfigFrom, type BrokerConfig } from '../kafka/broker-config.js';
import { startKafka, type RunningKafka } from '../kafka/broker.js';
import { collect } from './args.js';
import type { ServerCommand } from './command.js';
import { interBrokerSecurity } from '../kafka/inter-broker-security.js';
import { consoleSecurityOf } from './console-security.js';
import { localAddress, withHttp } from './http-endpoint.js';
import { startNaming, type StartSettings } from './startup-failure.js';

/** The broker's listener and data directory as server.properties names them. */
export function brokerSettings(config: BrokerConfig): StartSettings {
  const dirKey = config.values['log.dirs'].length > 0 ? 'log.dirs' : 'log.dir';
  return {
    listener: `listeners=${config.values.listeners.join(',')}`,
    dirs: [{ setting: `${dirKey}=${config.dataDir}`, dir: config.dataDir }],
  };
}

/** Starts a broker after reporting the config keys it will not use; `settings` name what a failure is about. */
export function startBrokerFromConfig(config: BrokerConfig, log: Logger, settings = brokerSettings(config)): Promise<RunningKafka> {
  if (config.unknownKeys.length > 0) log.warn({ keys: config.unknownKeys }, 'ignoring server.properties keys Skein does not know');
  if (config.ignoredKeys.length > 0) log.warn({ keys: config.ignoredKeys }, 'server.properties keys accepted without effect in Skein');
  return startNaming(settings, () => startKafka(config, log));
}

export const kafkaCommand: ServerCommand<{ config: string; override: string[] }> = {
  name: 'kafka',
  summary: 'run the Kafka broker alone, configured by an Apache Kafka server.properties',
  examples: [
    ['skein kafka --config config/server.properties', 'a broker as the file says'],
    ['skein kafka --config server.properties --override broker.id=2', 'with a setting changed'],
    ['KAFKA_CFG_BROKER_ID=2 skein kafka --config server.properties', 'the same from the environment (Bitnami\'s names)'],
  ],
  declare(command) {
    command
      .requiredOption('--config <server.properties>', "Apache Kafka's broker configuration file")
      .option('--override <key=value>', 'a server.properties setting that wins over the file and KAFKA_CFG_* (repeatable)', collect, []);
  },
  async run({ config: path, override }, log) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`);
    }
    const config = brokerConfigFrom(kafkaLayers({ file: { text, path }, env: process.env, overrides: override }));
    const running = await startBrokerFromConfig(config, log);
    const port = config.values['http.port'];
    const http = port === undefined ? undefined : { host: config.values['http.host'], port, setting: `http.port=${port}` };
    const zookeeperConnect = config.values['zookeeper.connect'];
    const node = await withHttp(
      running,
      http,
      {
        broker: running.broker,
        dataDirs: [config.dataDir],
        // The console asks the cluster through this broker's inter-broker listener, and browses the ZooKeeper the broker uses.
        console: {
          bootstrap: localAddress(config.listener.host, running.port),
          kafkaSecurity: interBrokerSecurity(config),
          zookeeperConnect,
          readOnly: config.explicitKeys.has('console.read.only') ? config.values['console.read.only'] : undefined,
          security: consoleSecurityOf(config, running.broker),
        },
      },
      log,
    );
    // The last line of a start, whatever the broker logged before it: where it listens and what it serves.
    log.info(
      {
        brokerId: config.brokerId,
        listeners: config.values.listeners,
        advertised: `${config.advertised.host}:${config.advertised.port}`,
        zookeeper: config.values['zookeeper.connect'] ?? 'none (a broker alone)',
        dataDir: config.dataDir,
        http: node.httpPort === undefined ? 'off' : `${config.values['http.host']}:${node.httpPort}`,
      },
      'skein kafka started',
    );
    return node;
  },
};
