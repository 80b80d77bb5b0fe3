// `skein zookeeper --config zoo.cfg`: the ZooKeeper-compatible server on its own.
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config/schema.js';
import { parseZooCfg } from '../zookeeper/config.js';
import { DISK_FILES } from '../zookeeper/ensemble-config.js';
import { startEnsembleMember } from '../zookeeper/quorum/ensemble-server.js';
import { startZooKeeper } from '../zookeeper/server.js';
import { flag, parseArgs, UsageError } from './args.js';
import type { Command } from './command.js';
import { startNaming } from './startup-failure.js';

export const zookeeperCommand: Command = {
  name: 'zookeeper',
  usage: 'zookeeper --config <zoo.cfg> [--override key=value]...',
  summary: 'run the ZooKeeper-compatible server, alone or as one member of an ensemble',
  async run(argv, log) {
    const args = parseArgs(argv, ['config', 'override']);
    const path = flag(args, 'config');
    if (path === undefined) throw new UsageError('--config <zoo.cfg> is required');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`);
    }
    const parsed = parseZooCfg(text, args.flags.get('override') ?? [], DISK_FILES);
    for (const warning of parsed.warnings) log.warn(warning);
    const { config, ensemble, unusedKeys } = parsed;
    if (unusedKeys.length > 0) log.warn({ keys: unusedKeys }, 'ignoring zoo.cfg keys that have no effect in Skein');
    const settings = {
      listener: ensemble
        ? `clientPortAddress=${config.clientPortAddress} clientPort=${config.clientPort}, quorum address of server.${ensemble.myid}`
        : `clientPortAddress=${config.clientPortAddress} clientPort=${config.clientPort}`,
      dirs: [
        { setting: `dataDir=${config.dataDir}`, dir: config.dataDir },
        { setting: `dataLogDir=${config.dataLogDir}`, dir: config.dataLogDir },
      ],
    };
    return startNaming(settings, () => (ensemble ? startEnsembleMember(config, ensemble, log, { configFile: path }) : startZooKeeper(config, log)));
  },
};
