// vitest globalSetup: compiles dist/ once, before any test file runs. Tests that spawn Skein or the crash
// writers run the compiled code, and a test that compiled it itself would rewrite dist/ while another
// file's child process was loading it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export default async function buildDist(): Promise<void> {
  await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT });
}
