// ZooKeeper 3.5's dynamic configuration file, kept as ZooKeeper keeps it: when a reconfiguration is
// applied, every member writes the new server lines to `<zoo.cfg>.dynamic.<version in hex>` and points
// zoo.cfg's dynamicConfigFile at it (dropping any server.N lines zoo.cfg held), each file replaced
// atomically. A member restarted from its zoo.cfg then starts from the latest membership it applied,
// even on a wiped data directory; the consensus log holds the same membership for one that is not.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseProperties } from '../../config/properties.js';
import { writeFileAtomic } from '../../fs/atomic-file.js';
import type { Logger } from '../../logger.js';
import { formatServerLine, type EnsembleServer } from '../ensemble-config.js';

/** Keys that describe the ensemble: they move to the dynamic file (ZooKeeper's editStaticConfig drops the same). */
const DYNAMIC_KEY = /^(server|group|weight)\.|^dynamicConfigFile$/;

export function dynamicConfigPath(configFile: string, version: bigint): string {
  return `${resolve(configFile)}.dynamic.${version.toString(16)}`;
}

/** The dynamic file's text: the server lines only; the version is in the file's name (a line inside is refused at start). */
export function dynamicConfigText(servers: readonly EnsembleServer[]): string {
  return `${[...servers].sort((a, b) => a.id - b.id).map(formatServerLine).join('\n')}\n`;
}

/** zoo.cfg's text with its ensemble lines removed and dynamicConfigFile pointing at `dynamicPath`; every other line kept as written. */
export function staticConfigText(text: string, dynamicPath: string): string {
  const drop = new Set(parseProperties(text).filter((l) => DYNAMIC_KEY.test(l.key)).map((l) => l.line));
  const kept = text.split(/\r\n|\r|\n/).filter((_, i) => !drop.has(i + 1));
  while (kept.length > 0 && kept.at(-1) === '') kept.pop();
  return `${[...kept, `dynamicConfigFile=${dynamicPath}`].join('\n')}\n`;
}

/**
 * Writes each applied configuration newer than the last written, one at a time in order (a failure is
 * logged: the membership stays in the consensus log, and the next reconfiguration writes again).
 */
export class DynamicConfigWriter {
  private written: bigint;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly configFile: string,
    version: bigint,
    private readonly log: Logger,
  ) {
    this.written = version;
  }

  write(servers: readonly EnsembleServer[], version: bigint): void {
    if (version <= this.written) return;
    this.written = version;
    this.chain = this.chain.then(async () => {
      try {
        const path = dynamicConfigPath(this.configFile, version);
        await writeFileAtomic(path, dynamicConfigText(servers));
        await writeFileAtomic(this.configFile, staticConfigText(await readFile(this.configFile, 'utf8'), path));
        this.log.info({ dynamicConfigFile: path }, 'wrote the new ensemble configuration');
      } catch (err) {
        this.log.error({ err, configFile: this.configFile }, 'cannot write the new ensemble configuration: a restart from this zoo.cfg starts from the last one written');
      }
    });
  }

  /** Resolves once every write asked for so far is done. */
  flushed(): Promise<void> {
    return this.chain;
  }
}
