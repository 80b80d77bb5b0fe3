// Runs a program to completion, feeding it input on stdin: the real clients of the compat tests and the
// fixture captures. A program may exit, or close its stdin, before it has read all of that input (kcat does
// when it fails early, and a program that never reads stdin may exit before the write happens): the write
// then fails with EPIPE, which is the program's doing, reported in the result, not an error of the runner.
import { spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  /** stdout decoded as UTF-8; `output` holds its bytes. */
  stdout: string;
  output: Buffer;
  stderr: string;
  /** The program closed its stdin (or exited) before taking all of the input. */
  inputRefused: boolean;
}

/** Runs `command`, feeding it `input`; resolves with its exit code and output once it has exited. */
export function run(command: string, args: string[], input: string | Buffer = '', timeoutMs = 90_000, env = process.env): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let inputRefused = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') inputRefused = true;
      else reject(err);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const output = Buffer.concat(stdout);
      resolveRun({ code, stdout: output.toString('utf8'), output, stderr: Buffer.concat(stderr).toString('utf8'), inputRefused });
    });
    if (input.length > 0) child.stdin.end(input);
    else child.stdin.end();
  });
}
