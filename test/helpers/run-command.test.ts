// The command runner the compat tests drive real clients with: a program that exits without reading its
// input is a result, never an unhandled EPIPE that fails the whole run.
import { expect, test } from 'vitest';
import { run } from './run-command.js';

test('input a program never reads is reported, with its exit code', async () => {
  // More than a pipe holds, so the write is still pending when the program exits.
  const r = await run('sh', ['-c', 'exit 3'], Buffer.alloc(1 << 20, 'x'));
  expect(r.code).toBe(3);
  expect(r.inputRefused).toBe(true);
});

test('a program that exits before its input is written is reported the same way', async () => {
  for (let i = 0; i < 20; i++) {
    const r = await run('sh', ['-c', 'exec 0<&-; echo gone'], 'late\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('gone\n');
  }
});

test('input a program reads is taken whole', async () => {
  const input = Buffer.alloc(1 << 20, 'y');
  const r = await run('wc', ['-c'], input);
  expect(r.code).toBe(0);
  expect(r.stdout.trim()).toBe(String(input.length));
  expect(r.inputRefused).toBe(false);
});

test('a program that cannot start rejects', async () => {
  await expect(run('/nonexistent/skein-no-such-program', [])).rejects.toMatchObject({ code: 'ENOENT' });
});
