// `skein start`: one node with everything on loopback: ZooKeeper on 2181 and a Kafka broker on 9092,
// data under ./data (zookeeper/ and kafka/ inside it). The broker is a one-broker cluster on that
// ZooKeeper (zookeeper.connect points at it), so it runs the same code as every broker of a larger
// cluster: registration, controller, topics in ZooKeeper. A data dir from a broker that ran alone
// (topics.json) is carried over at the first start.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseOverrides } from '../config/schema.js';
import { DirLock } from '../fs/dir-lock.js';
import { brokerConfigFrom } from '../kafka/broker-config.js';
import { defaultZooKeeperConfig } from '../zookeeper/config.js';
import { startZooKeeper } from '../zookeeper/server.js';
import { flag, parseArgs, portFlag } from './args.js';
import type { Command } from './command.js';
import { withHttp } from './http-endpoint.js';
import { brokerSettings, startBrokerFromConfig } from './kafka-command.js';
import { startNaming } from './startup-failure.js';

const HOST = '127.0.0.1';
const DEFAULT_HTTP_PORT = 8080;

/** Creates each directory and checks that it can be locked, so neither server starts when the other could not. */
async function checkDataDirs(dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    await mkdir(dir, { recursive: true });
    await (await DirLock.acquire(dir)).release();
  }
}

export const startCommand: Command = {
  name: 'start',
  usage: 'start [--data-dir DIR] [--kafka-port N] [--zookeeper-port N] [--http-port N] [--override key=value]...',
  summary: 'run a whole node: ZooKeeper and a Kafka broker',
  async run(argv, log) {
    const args = parseArgs(argv, ['data-dir', 'kafka-port', 'zookeeper-port', 'http-port', 'override']);
    const dataDir = flag(args, 'data-dir') ?? './data';
    const kafkaPort = portFlag(args, 'kafka-port') ?? 9092;
    const zkPort = portFlag(args, 'zookeeper-port') ?? 2181;
    const zkDir = join(dataDir, 'zookeeper');
    const overrides = parseOverrides(args.flags.get('override') ?? []);
    // Every setting is checked before anything listens.
    const brokerConfig = brokerConfigFrom([
      { key: 'listeners', value: `PLAINTEXT://${HOST}:${kafkaPort}`, line: 0 },
      { key: 'log.dirs', value: join(dataDir, 'kafka'), line: 0 },
      ...overrides,
    ]);
    const overridden = new Set(overrides.map((o) => o.key));
    // On by default here (not for skein kafka / zookeeper): a whole node is what a new user runs and scrapes.
    const httpFlag = portFlag(args, 'http-port');
    const httpPort = httpFlag ?? brokerConfig.values['http.port'] ?? DEFAULT_HTTP_PORT;
    const http = { host: brokerConfig.values['http.host'], port: httpPort, setting: httpFlag === undefined && overridden.has('http.port') ? `http.port=${httpPort}` : `--http-port=${httpPort}` };
    const dataDirSetting = { setting: `--data-dir=${dataDir}`, dir: dataDir };
    const kafkaSettings = brokerSettings(brokerConfig);
    if (!overridden.has('listeners')) kafkaSettings.listener = `--kafka-port=${kafkaPort}`;
    if (!overridden.has('log.dirs') && !overridden.has('log.dir')) kafkaSettings.dirs = [dataDirSetting];
    const zkSettings = { listener: `--zookeeper-port=${zkPort}`, dirs: [dataDirSetting] };
    await startNaming({ dirs: [...zkSettings.dirs, ...kafkaSettings.dirs] }, () => checkDataDirs([zkDir, brokerConfig.dataDir]));
    const zookeeper = await startNaming(zkSettings, () =>
      startZooKeeper(defaultZooKeeperConfig({ dataDir: zkDir, dataLogDir: zkDir, clientPort: zkPort, clientPortAddress: HOST }), log),
    );
    try {
      // Set once ZooKeeper listens: its port is known only then (--zookeeper-port 0 picks one).
      if (!overridden.has('zookeeper.connect')) brokerConfig.values['zookeeper.connect'] = `${HOST}:${zookeeper.clientPort}`;
      const broker = await startBrokerFromConfig(brokerConfig, log, kafkaSettings);
      const node = await withHttp(
        {
          async stop() {
            // The broker first: its controlled shutdown and its session's close need ZooKeeper.
            await broker.stop();
            await zookeeper.stop();
          },
        },
        http,
        { broker: broker.broker, zookeeper: zookeeper.server, dataDirs: [zkDir, brokerConfig.dataDir] },
        log,
      );
      log.info(
        {
          kafka: `${HOST}:${broker.port}`,
          zookeeper: `${HOST}:${zookeeper.clientPort}`,
          dataDir: resolve(dataDir),
        },
        'skein node started',
      );
      return node;
    } catch (err) {
      await zookeeper.stop();
      throw err;
    }
  },
};
