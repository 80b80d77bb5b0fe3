// The options every client command shares, named as the peers' tools name them: Kafka's
// --bootstrap-server and --command-config and zkCli's -server (here --server), each with an environment
// variable for shells and containers that talk to one cluster all day.
import { Option, type Command } from 'commander';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';
export const DEFAULT_ZOOKEEPER = '127.0.0.1:2181';

export interface KafkaConnectOptions {
  bootstrapServer: string;
  /** The hidden alias --brokers (rpk's name), which wins when given. */
  brokers?: string;
  /** A Kafka client properties file: security.protocol, SASL login, TLS stores (command-config.ts). */
  commandConfig?: string;
}

export interface ZooKeeperConnectOptions {
  server: string;
  /** The hidden alias --zookeeper (kafka-configs' old name), which wins when given. */
  zookeeper?: string;
}

/** Adds --bootstrap-server (env SKEIN_BROKERS) and --command-config (env SKEIN_COMMAND_CONFIG) to a Kafka command. */
export function withKafkaConnection(command: Command): Command {
  return command
    .addOption(new Option('-b, --bootstrap-server <host:port,...>', 'Kafka brokers to start from').env('SKEIN_BROKERS').default(DEFAULT_BOOTSTRAP))
    .addOption(
      new Option('--command-config <file>', 'Kafka client properties (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.*, ssl.keystore.*), as kafka-topics.sh takes them').env(
        'SKEIN_COMMAND_CONFIG',
      ),
    )
    .addOption(new Option('--brokers <host:port,...>').hideHelp());
}

/** Adds --server (env SKEIN_ZOOKEEPER) to a ZooKeeper command. */
export function withZooKeeperConnection(command: Command): Command {
  return command
    .addOption(new Option('--server <host:port,...[/chroot]>', 'ZooKeeper servers, as a connect string').env('SKEIN_ZOOKEEPER').default(DEFAULT_ZOOKEEPER))
    .addOption(new Option('--zookeeper <host:port,...>').hideHelp());
}

export function bootstrapOf(options: KafkaConnectOptions): string[] {
  return (options.brokers ?? options.bootstrapServer)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function zooKeeperOf(options: ZooKeeperConnectOptions): string {
  return options.zookeeper ?? options.server;
}

/** Appends example command lines to a command's --help, each with what it does. */
export function withExamples(command: Command, examples: readonly (readonly [string, string])[]): Command {
  const text = examples.map(([line, what]) => `  $ ${line}\n      ${what}`);
  return command.addHelpText('after', `\nExamples:\n${text.join('\n')}\n`);
}
