// `skein start`: one node with everything on loopback: ZooKeeper on 2181 and a Kafka broker on 9092,
// data under ./data (zookeeper/ and kafka/ inside it).
import { join, resolve } from 'node:path';
import { parseOverrides } from '../config/schema.js';
import { brokerConfigFrom } from '../kafka/broker-config.js';
import { defaultZooKeeperConfig } from '../zookeeper/config.js';
import { startZooKeeper } from '../zookeeper/server.js';
import { flag, parseArgs, portFlag } from './args.js';
import type { Command } from './command.js';
import { startBrokerFromConfig } from './kafka-command.js';

const HOST = '127.0.0.1';

export const startCommand: Command = {
  name: 'start',
  usage: 'start [--data-dir DIR] [--kafka-port N] [--zookeeper-port N] [--override key=value]...',
  summary: 'run a whole node: ZooKeeper and a Kafka broker',
  async run(argv, log) {
    const args = parseArgs(argv, ['data-dir', 'kafka-port', 'zookeeper-port', 'override']);
    const dataDir = flag(args, 'data-dir') ?? './data';
    const kafkaPort = portFlag(args, 'kafka-port') ?? 9092;
    const zkPort = portFlag(args, 'zookeeper-port') ?? 2181;
    const zkDir = join(dataDir, 'zookeeper');
    const zookeeper = await startZooKeeper(
      defaultZooKeeperConfig({ dataDir: zkDir, dataLogDir: zkDir, clientPort: zkPort, clientPortAddress: HOST }),
      log,
    );
    try {
      const broker = await startBrokerFromConfig(
        brokerConfigFrom([
          { key: 'listeners', value: `PLAINTEXT://${HOST}:${kafkaPort}`, line: 0 },
          { key: 'log.dirs', value: join(dataDir, 'kafka'), line: 0 },
          ...parseOverrides(args.flags.get('override') ?? []),
        ]),
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
      return {
        async stop() {
          await broker.stop();
          await zookeeper.stop();
        },
      };
    } catch (err) {
      await zookeeper.stop();
      throw err;
    }
  },
};
