// The ZooKeeper C client's shell (cli_mt from Debian zookeeper-bin) against Skein: create, get, ls.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { zooKeeperForTests } from '../helpers/skein-process.js';

const CLI_MT = '/usr/lib/zookeeper/bin/cli_mt';
const zk = zooKeeperForTests();

/** cli_mt answers asynchronously, so commands are typed one at a time with a pause between them. */
function cliMt(commands: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI_MT, [zk().address], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out));
    const lines = [...commands, 'quit'];
    const next = () => {
      const line = lines.shift();
      if (line === undefined) return;
      child.stdin.write(`${line}\n`);
      if (lines.length > 0) setTimeout(next, 400);
      else child.stdin.end();
    };
    setTimeout(next, 500);
  });
}

describe('cli_mt', () => {
  it('creates nodes, reads them back and lists children', async () => {
    const out = await cliMt(['create /cmt', 'create /cmt/kid', 'get /cmt', 'ls /', 'ls /cmt', 'get /missing']);
    expect(out).toContain('Watcher SESSION_EVENT state = CONNECTED_STATE');
    expect(out).toMatch(/\[\/cmt\]: rc = 0\n\tname = \/cmt\n/);
    expect(out).toMatch(/\[\/cmt\/kid\]: rc = 0\n\tname = \/cmt\/kid\n/);
    expect(out).toMatch(/\/cmt: rc = 0\n value_len = 3\nnew\n/);
    expect(out).toMatch(/\/: rc = 0\n(\t\w+\n)*\tcmt\n/);
    expect(out).toMatch(/\/cmt: rc = 0\n\tkid\n/);
    expect(out).toMatch(/\/missing: rc = -101\n/);
  });
});
