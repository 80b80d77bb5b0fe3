// What a person at a terminal sees, under a pseudo-terminal (util-linux `script`): `skein start` logs
// readable lines (level names, local times) ending with its start summary, and `skein produce` of a
// big file draws a progress bar with records/s and MB/s. (Into a pipe they log JSON lines: skein-command.test.ts.)
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SKEIN_MAIN, skeinEnv } from '../../helpers/server-process.js';
import { skein, SkeinNode } from '../../helpers/skein-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skein-terminal-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs a shell command line under a pseudo-terminal until `until` appears in what it printed (or it exits), then ends it. */
function onTerminal(commandLine: string, until: RegExp, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    // -q: no "Script started" banner; -e: its exit code; -c: the command; /dev/null: no typescript file.
    const child = spawn('script', ['-qec', commandLine, '/dev/null'], { env: { ...skeinEnv(), TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let out = '';
    const finish = () => {
      clearTimeout(timer);
      // The whole session: script and what runs under it.
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // Gone already.
      }
      resolve(out);
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`${until} did not appear within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (until.test(out)) finish();
    });
    child.once('exit', finish);
  });
}

test('on a terminal, start logs readable lines with level names and local times, its summary last', async () => {
  const out = await onTerminal(`exec "${process.execPath}" "${SKEIN_MAIN}" start --data-dir "${join(dir, 'node')}" --kafka-port 0 --zookeeper-port 0`, /skein node started[^\n]*\n/);
  const lines = out.split(/\r?\n/).filter(Boolean);
  expect(lines.length).toBeGreaterThan(3);
  for (const line of lines) expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] (\S+)?(INFO|WARN|DEBUG)/);
  expect(out).not.toContain('{"level"');
  expect(lines[lines.length - 1]).toMatch(/INFO.*skein node started.*"kafka":"127\.0\.0\.1:\d+".*"zookeeper":"127\.0\.0\.1:\d+"/);
});

test('produce of a big file draws a progress bar on a terminal, and prints a summary', async () => {
  const node = await SkeinNode.start();
  try {
    expect((await skein(node, ['topic', 'create', 'bulk', '-p', '2'])).code).toBe(0);
    const file = join(dir, 'bulk.txt');
    const line = 'x'.repeat(100);
    await writeFile(file, `${Array.from({ length: 200_000 }, (_, i) => `${i}:${line}`).join('\n')}\n`);
    const out = await onTerminal(`SKEIN_BROKERS=${node.kafka} exec "${process.execPath}" "${SKEIN_MAIN}" produce bulk -k : -f "${file}"`, /produced 200000 records/);
    expect(out).toMatch(/\r\[[#.]{30}\] +\d+%  [\d,]+ records  [\d,]+ records\/s  [\d.]+ MB\/s/);
    expect(out).toMatch(/produced 200000 records \(\d+ bytes\) to bulk in [\d.]+ s \(\d+ records\/s, [\d.]+ MB\/s\)/);
  } finally {
    await node.stop();
  }
});
