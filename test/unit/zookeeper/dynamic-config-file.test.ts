import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../src/logger.js';
import { afterEach, describe, expect, it } from 'vitest';
import { parseZooCfg } from '../../../src/zookeeper/config.js';
import { DISK_FILES, parseServerLine } from '../../../src/zookeeper/ensemble-config.js';
import { DynamicConfigWriter, dynamicConfigPath, staticConfigText } from '../../../src/zookeeper/quorum/dynamic-config-file.js';

const line = (id: number, role = 'participant') => `server.${id}=127.0.0.1:${2000 + id}:${3000 + id}:${role};127.0.0.1:${4000 + id}`;
const server = (id: number, role = 'participant') => {
  const [key, value] = line(id, role).split('=') as [string, string];
  return parseServerLine(key, value, 255);
};

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('dynamic configuration file', () => {
  it("rewrites zoo.cfg as ZooKeeper's editStaticConfig does: ensemble lines out, dynamicConfigFile pointing at the new file, the rest as written", () => {
    const text = `# my ensemble\ntickTime=2000\n${line(1)}\n${line(2)}\ndynamicConfigFile=/old/zoo.cfg.dynamic.1\ninitLimit=10\n`;
    expect(staticConfigText(text, '/etc/zoo.cfg.dynamic.10000002a')).toBe('# my ensemble\ntickTime=2000\ninitLimit=10\ndynamicConfigFile=/etc/zoo.cfg.dynamic.10000002a\n');
  });

  it('writes each newer configuration; a member started from the rewritten zoo.cfg has the new membership and version', async () => {
    dir = await mkdtemp(join(tmpdir(), 'skein-dyncfg-'));
    const cfg = join(dir, 'zoo.cfg');
    await writeFile(cfg, [`dataDir=${dir}`, 'tickTime=200', 'initLimit=10', 'syncLimit=5', 'reconfigEnabled=true', line(1), line(2), line(3)].join('\n'));
    await writeFile(join(dir, 'myid'), '2\n');
    const writer = new DynamicConfigWriter(cfg, 0n, createLogger('silent'));
    writer.write([server(1), server(2), server(3), server(4), server(5, 'observer')], 0x100000005n);
    // An older version (a restarted member replaying its log) writes nothing.
    writer.write([server(1), server(2)], 0x100000004n);
    writer.write([server(2), server(3), server(4), server(5, 'observer')], 0x10000000an);
    await writer.flushed();
    const first = await readFile(dynamicConfigPath(cfg, 0x100000005n), 'utf8');
    expect(first).toBe(`${[line(1), line(2), line(3), line(4), line(5, 'observer')].join('\n')}\n`);
    const { ensemble } = parseZooCfg(await readFile(cfg, 'utf8'), [], DISK_FILES);
    expect(ensemble).toMatchObject({ myid: 2, version: 0x10000000an, membership: { voters: [2, 3, 4], learners: [5] } });
    expect(ensemble!.dynamicConfigFile).toBe(dynamicConfigPath(cfg, 0x10000000an));
  });
});
