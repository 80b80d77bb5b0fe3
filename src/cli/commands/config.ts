// `skein config show kafka|zookeeper`: the configuration a server would run with (its file, the
// environment's KAFKA_CFG_* / ZOO_CFG_*, --override) key by key, with where each value came from and
// secrets masked. It checks the values as the server would, so a bad one fails here first.
import { readFile } from 'node:fs/promises';
import { Argument, type Command } from 'commander';
import { effectiveSettings, type EffectiveSetting } from '../../config/effective-config.js';
import { kafkaLayers, zooLayers, type LayerInputs } from '../../config/layers.js';
import { ConfigError, parseConfig } from '../../config/schema.js';
import { brokerConfigFrom, brokerSchema } from '../../kafka/broker-config.js';
import { zooCfgSchema } from '../../zookeeper/config.js';
import { collect } from '../args.js';
import { withExamples } from '../client-options.js';
import { formatOption, printResult, renderTable, type OutputFormat } from '../output.js';

interface ShowOptions {
  config?: string;
  override: string[];
  changed?: boolean;
  format: OutputFormat;
}

async function fileOf(path: string | undefined): Promise<LayerInputs['file']> {
  if (path === undefined) return undefined;
  try {
    return { text: await readFile(path, 'utf8'), path };
  } catch (err) {
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

/** The settings of `server`, checked as the server checks them before it starts. */
export async function showSettings(server: 'kafka' | 'zookeeper', options: ShowOptions, env: LayerInputs['env']): Promise<EffectiveSetting[]> {
  const inputs = { file: await fileOf(options.config), env, overrides: options.override };
  if (server === 'kafka') {
    const lines = kafkaLayers(inputs);
    brokerConfigFrom(lines);
    return effectiveSettings(brokerSchema, lines);
  }
  const lines = zooLayers(inputs, Object.keys(zooCfgSchema));
  // The values only: whether server.N names this machine needs dataDir/myid, which is the server's to read.
  parseConfig(zooCfgSchema, lines);
  return effectiveSettings(zooCfgSchema, lines, (key) => key.startsWith('server.'));
}

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('the configuration a server runs with');
  withExamples(
    config
      .command('show')
      .description('every setting with its value and source (default, file line, environment variable, --override); secrets masked')
      .addArgument(new Argument('[server]', 'whose configuration').choices(['kafka', 'zookeeper']).default('kafka'))
      .option('--config <file>', 'server.properties (kafka) or zoo.cfg (zookeeper), as the server is given it')
      .option('--override <key=value>', 'a setting as the server takes it (repeatable)', collect, [])
      .option('--changed', 'only settings that are not defaults')
      .addOption(formatOption()),
    [
      ['skein config show kafka --config config/server.properties', "the broker's settings and where each comes from"],
      ['KAFKA_CFG_NUM_PARTITIONS=6 skein config show --changed', 'what the environment changes'],
      ['skein config show zookeeper --config zoo.cfg --format json', 'for scripts'],
    ],
  ).action(async (server: 'kafka' | 'zookeeper', options: ShowOptions) => {
    const all = await showSettings(server, options, process.env);
    const settings = options.changed ? all.filter((s) => s.source !== 'default') : all;
    printResult(options.format, settings, () =>
      renderTable(
        ['key', 'value', 'source'],
        settings.map((s) => [s.key, s.value, s.known ? s.source : `${s.source} (unknown key, ignored)`]),
      ),
    );
  });
}
