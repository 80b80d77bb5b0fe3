// `skein start`: one node, on loopback unless --host says otherwise: ZooKeeper on 2181 and a Kafka
// broker on 9092, data under ./data (zookeeper/ and kafka/ inside it). The broker is a one-broker cluster on that
// ZooKeeper (zookeeper.connect points at it), so it runs the same code as every broker of a larger
// cluster: registration, controller, topics in ZooKeeper. A data dir from a broker that ran alone
// (topics.json) is carried over at the first start.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { kafkaLayers, zooLayers } from '../config/layers.js';
import { DirLock } from '../fs/dir-lock.js';
import { brokerConfigFrom } from '../kafka/broker-config.js';
import { parseZooCfgLines, zooCfgSchema } from '../zookeeper/config.js';
import { startZooKeeper } from '../zookeeper/server.js';
import { Option } from 'commander';
import { collect, parsePort } from './args.js';
import { untilFormed } from './cluster-formed.js';
import { interBrokerSecurity } from '../kafka/inter-broker-security.js';
import type { ServerCommand } from './command.js';
import { brokerSettings, startBrokerFromConfig } from './kafka-command.js';
import { consoleSecurityOf } from './console-security.js';
import { localAddress, withHttp } from './http-endpoint.js';
import type { RunningKafka } from '../kafka/broker.js';
import { startNaming } from './startup-failure.js';

/** The listen address unless --host says otherwise: a first start should not be reachable from the network. */
const DEFAULT_HOST = '127.0.0.1';
/** How long the start summary waits for the broker to lead its partitions. */
const READY_TIMEOUT_MS = 30_000;
/** The HTTP listener's port unless --http-port or http.port says otherwise. */
const DEFAULT_HTTP_PORT = 8080;

/** Creates each directory and checks that it can be locked, so neither server starts when the other could not. */
async function checkDataDirs(dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    await mkdir(dir, { recursive: true });
    await (await DirLock.acquire(dir)).release();
  }
}

interface StartOptions {
  dataDir: string;
  host: string;
  advertisedHost?: string;
  kafkaPort: number;
  zookeeperPort: number;
  httpPort: number | undefined;
  override: string[];
}

/** ZooKeeper's usual client port, where start's runs unless --zookeeper-port says otherwise. */
const DEFAULT_ZOOKEEPER_PORT = 2181;

export const startCommand: ServerCommand<StartOptions> = {
  name: 'start',
  summary: 'run a whole node: ZooKeeper and a Kafka broker',
  examples: [
    ['skein start', 'ZooKeeper on 127.0.0.1:2181, Kafka on 127.0.0.1:9092, data in ./data'],
    ['skein start --data-dir /var/lib/skein --kafka-port 19092', 'elsewhere'],
    ['skein start --override num.partitions=6 --override log.retention.hours=24', 'with server.properties settings'],
    ['skein start --host 0.0.0.0 --advertised-host broker.example.com', 'reachable from other machines (as in the Docker image)'],
    ['KAFKA_CFG_NUM_PARTITIONS=6 skein start', 'a server.properties setting from the environment'],
  ],
  declare(command) {
    command
      .addOption(new Option('--data-dir <dir>', 'data directory (zookeeper/ and kafka/ inside)').env('SKEIN_DATA_DIR').default('./data'))
      .addOption(new Option('--host <address>', 'address both servers listen on (0.0.0.0: every interface)').env('SKEIN_HOST').default(DEFAULT_HOST))
      .addOption(
        new Option('--advertised-host <host>', 'host name Kafka clients are told to connect to (default: --host, or this machine\'s name for 0.0.0.0)').env(
          'SKEIN_ADVERTISED_HOST',
        ),
      )
      .addOption(new Option('--kafka-port <port>', 'Kafka port (0: any free port)').env('SKEIN_KAFKA_PORT').argParser(parsePort).default(9092))
      .addOption(new Option('--zookeeper-port <port>', 'ZooKeeper port (0: any free port)').env('SKEIN_ZOOKEEPER_PORT').argParser(parsePort).default(DEFAULT_ZOOKEEPER_PORT))
      .addOption(
        new Option('--http-port <port>', `HTTP port for /metrics, /healthz, /readyz and /commands (0: any free port; default ${DEFAULT_HTTP_PORT}, or http.port)`)
          .env('SKEIN_HTTP_PORT')
          .argParser(parsePort),
      )
      .option('--override <key=value>', 'a server.properties setting for the broker, over KAFKA_CFG_* (repeatable)', collect, []);
  },
  async run(options, log) {
    const { dataDir, host, advertisedHost, kafkaPort, zookeeperPort: zkPort } = options;
    const zkDir = join(dataDir, 'zookeeper');
    const layers = kafkaLayers({ env: process.env, overrides: options.override });
    // Every setting is checked before anything listens. Precedence: start's own < environment < --override.
    const brokerConfig = brokerConfigFrom([
      { key: 'listeners', value: `PLAINTEXT://${host}:${kafkaPort}`, line: 0 },
      ...(advertisedHost === undefined ? [] : [{ key: 'advertised.listeners', value: `PLAINTEXT://${advertisedHost}:${kafkaPort}`, line: 0 }]),
      { key: 'log.dirs', value: join(dataDir, 'kafka'), line: 0 },
      // The node's own ZooKeeper, so the checks that need one (an authorizer) pass. With --zookeeper-port 0
      // the port is unknown until it listens: a stand-in that parses, replaced below before the broker starts.
      { key: 'zookeeper.connect', value: localAddress(host, zkPort === 0 ? DEFAULT_ZOOKEEPER_PORT : zkPort), line: 0 },
      ...layers,
    ]);
    const overridden = new Set(layers.map((o) => o.key));
    // On by default here (not for skein kafka / zookeeper): a whole node is what a new user runs and scrapes.
    const httpPort = options.httpPort ?? brokerConfig.values['http.port'] ?? DEFAULT_HTTP_PORT;
    const httpSetting = options.httpPort === undefined && overridden.has('http.port') ? `http.port=${httpPort}` : `--http-port=${httpPort}`;
    // Where both servers listen (--host) unless http.host says otherwise: the Docker image's /metrics is
    // then reachable from outside the container like its Kafka and ZooKeeper ports.
    const http = { host: overridden.has('http.host') ? brokerConfig.values['http.host'] : host, port: httpPort, setting: httpSetting };
    const dataDirSetting = { setting: `--data-dir=${dataDir}`, dir: dataDir };
    const kafkaSettings = brokerSettings(brokerConfig);
    if (!overridden.has('listeners')) kafkaSettings.listener = `--kafka-port=${kafkaPort}`;
    if (!overridden.has('log.dirs') && !overridden.has('log.dir')) kafkaSettings.dirs = [dataDirSetting];
    const zkSettings = { listener: `--zookeeper-port=${zkPort}`, dirs: [dataDirSetting] };
    await startNaming({ dirs: [...zkSettings.dirs, ...kafkaSettings.dirs] }, () => checkDataDirs([zkDir, brokerConfig.dataDir]));
    // ZOO_CFG_* tune the ZooKeeper server; where it listens and keeps its data stay start's to say.
    const zooEnv = zooLayers({ env: process.env, overrides: [] }, Object.keys(zooCfgSchema));
    const zkConfig = { ...parseZooCfgLines(zooEnv).config, dataDir: zkDir, dataLogDir: zkDir, clientPort: zkPort, clientPortAddress: host };
    const zookeeper = await startNaming(zkSettings, () => startZooKeeper(zkConfig, log));
    let broker: RunningKafka;
    try {
      // Set once ZooKeeper listens: its port is known only then (--zookeeper-port 0 picks one).
      if (!overridden.has('zookeeper.connect')) brokerConfig.values['zookeeper.connect'] = localAddress(host, zookeeper.clientPort);
      broker = await startBrokerFromConfig(brokerConfig, log, kafkaSettings);
    } catch (err) {
      await zookeeper.stop();
      throw err;
    }
    const running = broker;
    // Stops both servers itself if the HTTP listener cannot open.
    const node = await withHttp(
      {
        async stop() {
          // The broker first: its controlled shutdown and its session's close need ZooKeeper.
          await running.stop();
          await zookeeper.stop();
        },
      },
      http,
      {
        broker: running.broker,
        zookeeper: zookeeper.server,
        dataDirs: [zkDir, brokerConfig.dataDir],
        console: {
          bootstrap: localAddress(host, running.port),
          // The console reaches the broker as the brokers reach each other (the inter-broker listener).
          kafkaSecurity: interBrokerSecurity(brokerConfig),
          zookeeperConnect: localAddress(host, zookeeper.clientPort),
          readOnly: overridden.has('console.read.only') ? brokerConfig.values['console.read.only'] : undefined,
          security: consoleSecurityOf(brokerConfig, running.broker),
        },
      },
      log,
    );
    // The summary is the start's last line: printed once the broker is controller and leads its partitions.
    if (!(await untilFormed(localAddress(host, running.port), 1, READY_TIMEOUT_MS, interBrokerSecurity(brokerConfig)))) log.warn({ waitedMs: READY_TIMEOUT_MS }, 'the broker has not taken up its partitions yet');
    log.info(
      {
        kafka: `${host}:${running.port}`,
        advertised: `${brokerConfig.advertised.host}:${brokerConfig.advertised.port}`,
        zookeeper: `${host}:${zookeeper.clientPort}`,
        dataDir: resolve(dataDir),
        http: `${http.host}:${node.httpPort}`,
        // What kind of node this is, as `skein cluster info` would find it.
        mode: 'ZooKeeper standalone and a one-broker Kafka cluster on it',
      },
      'skein node started',
    );
    return node;
  },
};
