// `skein zookeeper --config zoo.cfg [--myid N]`: the ZooKeeper-compatible server, alone or as one member
// of an ensemble. --myid is for containers, where every member runs the same image and zoo.cfg and the
// data volume starts empty (the official image's ZOO_MY_ID does the same job): it writes dataDir/myid
// when there is none and refuses a dataDir whose myid names another server.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { ConfigError } from '../config/schema.js';
import { zooLayers } from '../config/layers.js';
import { parseZooCfgLines, zooCfgSchema } from '../zookeeper/config.js';
import { DISK_FILES, type ConfigFiles } from '../zookeeper/ensemble-config.js';
import { startEnsembleMember } from '../zookeeper/quorum/ensemble-server.js';
import { startZooKeeper } from '../zookeeper/server.js';
import { collect, UsageError } from './args.js';
import type { ServerCommand } from './command.js';
import { localAddress, withHttp } from './http-endpoint.js';
import { startNaming } from './startup-failure.js';

/**
 * The disk, except that a missing dataDir/myid reads as `myid` (and is noted in `missing`, to be written
 * once the config is known good), and one naming another server is refused.
 */
function filesWithMyid(myid: string, missing: string[]): ConfigFiles {
  return {
    read(path) {
      const text = DISK_FILES.read(path);
      if (basename(path) !== 'myid') return text;
      if (text === undefined) {
        missing.push(path);
        return `${myid}\n`;
      }
      const first = text.split(/\r\n|\r|\n/)[0]!;
      if (first !== myid) throw new ConfigError(`--myid ${myid}: ${path} says ${JSON.stringify(first.slice(0, 40))}: this dataDir is another server's`);
      return text;
    },
  };
}

export const zookeeperCommand: ServerCommand<{ config: string; myid?: string; override: string[] }> = {
  name: 'zookeeper',
  summary: 'run the ZooKeeper-compatible server, alone or as one member of an ensemble',
  examples: [
    ['skein zookeeper --config config/zoo.cfg', 'a standalone server as the file says'],
    ['skein zookeeper --config zoo.cfg --myid 2', 'member 2 of the ensemble zoo.cfg lists (writes dataDir/myid)'],
    ['ZOO_CFG_TICK_TIME=500 skein zookeeper --config zoo.cfg', 'a zoo.cfg setting from the environment (tickTime)'],
  ],
  declare(command) {
    command
      .requiredOption('--config <zoo.cfg>', "Apache ZooKeeper's configuration file")
      .option('--myid <id>', 'this server\'s id among zoo.cfg\'s server.N lines, written to dataDir/myid if missing')
      .option('--override <key=value>', 'a zoo.cfg setting that wins over the file and ZOO_CFG_* (repeatable)', collect, []);
  },
  async run({ config: path, myid, override }, log) {
    if (myid !== undefined && !/^\d+$/.test(myid)) throw new UsageError(`--myid must be a server id from server.N, got "${myid}"`);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`);
    }
    const missingMyid: string[] = [];
    const lines = zooLayers({ file: { text, path }, env: process.env, overrides: override }, Object.keys(zooCfgSchema));
    const parsed = parseZooCfgLines(lines, myid === undefined ? DISK_FILES : filesWithMyid(myid, missingMyid));
    for (const warning of parsed.warnings) log.warn(warning);
    const { config, ensemble, unusedKeys } = parsed;
    if (unusedKeys.length > 0) log.warn({ keys: unusedKeys }, 'ignoring zoo.cfg keys that have no effect in Skein');
    if (myid !== undefined && !ensemble) log.warn({ myid }, '--myid has no effect: zoo.cfg names no servers, so this server runs standalone');
    for (const file of missingMyid) {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, `${myid}\n`);
      log.info({ file, myid }, 'wrote myid from --myid');
    }
    const settings = {
      listener: ensemble
        ? `clientPortAddress=${config.clientPortAddress} clientPort=${config.clientPort}, quorum address of server.${ensemble.myid}`
        : `clientPortAddress=${config.clientPortAddress} clientPort=${config.clientPort}`,
      dirs: [
        { setting: `dataDir=${config.dataDir}`, dir: config.dataDir },
        { setting: `dataLogDir=${config.dataLogDir}`, dir: config.dataLogDir },
      ],
    };
    const running = await startNaming(settings, () => (ensemble ? startEnsembleMember(config, ensemble, log, { configFile: path }) : startZooKeeper(config, log)));
    const { host, port } = config.http;
    const http = port === undefined ? undefined : { host, port, setting: `http.port=${port}` };
    // The console browses this server through its plaintext client port (none: no ZooKeeper pages) and shows its ensemble.
    const own = config.servePlaintext ? localAddress(config.clientPortAddress, running.server.clientPort) : undefined;
    const consoleParts = { bootstrap: undefined, zookeeperConnect: own, readOnly: undefined, security: undefined };
    const node = await withHttp(running, http, { zookeeper: running.server, dataDirs: [config.dataDir, config.dataLogDir], console: consoleParts }, log);
    // The last line of a start, whatever the server logged before it: where it listens and what it is.
    log.info(
      {
        clientPort: config.servePlaintext ? `${config.clientPortAddress}:${config.clientPort}` : 'off',
        ...(config.secure === undefined ? {} : { secureClientPort: `${config.secure.address ?? config.clientPortAddress}:${config.secure.port}` }),
        dataDir: config.dataDir,
        mode: ensemble ? `member ${ensemble.myid} of a ${ensemble.servers.length}-server ensemble` : 'standalone',
        http: node.httpPort === undefined ? 'off' : `${host}:${node.httpPort}`,
      },
      'skein zookeeper started',
    );
    return node;
  },
};
