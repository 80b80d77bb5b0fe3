// Running the real clients the compat tests drive: any command to completion (the runner the fixture
// captures share), and the Python scripts beside the tests with Debian's python3 (JSON in on stdin, JSON
// out on stdout).
import { fileURLToPath } from 'node:url';
import { run } from '../../test/helpers/run-command.js';

export { run };

/** Debian's python3, which has the client packages (not a pyenv one on PATH). */
export const PYTHON = '/usr/bin/python3';

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
