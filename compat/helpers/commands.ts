// Running the real clients the compat tests drive: any command to completion, and the Python scripts
// beside the tests with Debian's python3 (JSON in on stdin, JSON out on stdout).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Debian's python3, which has the client packages (not a pyenv one on PATH). */
export const PYTHON = '/usr/bin/python3';

export interface RunResult {
  code: number | null;
  /** stdout decoded as UTF-8; `output` holds its bytes. */
  stdout: string;
  output: Buffer;
  stderr: string;
}

/** Runs a command to completion, feeding it `input`; resolves with its exit code and output. */
export function run(command: string, args: string[], input: string | Buffer = '', timeoutMs = 90_000, env = process.env): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const output = Buffer.concat(stdout);
      resolveRun({ code, stdout: output.toString('utf8'), output, stderr: Buffer.concat(stderr).toString('utf8') });
    });
    child.stdin.end(input);
  });
}

/**
 * Runs a driver script beside a test (`new URL('x.py', import.meta.url)`) with `input` as JSON on stdin and
 * returns the JSON it printed. A non-zero exit throws, carrying the script's stderr.
 */
export async function runPythonJson<T>(script: URL, input: unknown, timeoutMs = 110_000): Promise<T> {
  // The drivers import a module beside them; no __pycache__ is left in the work tree.
  const r = await run(PYTHON, [fileURLToPath(script)], JSON.stringify(input), timeoutMs, { ...process.env, PYTHONDONTWRITEBYTECODE: '1' });
  if (r.code !== 0) throw new Error(`${fileURLToPath(script)} exited with ${r.code}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
