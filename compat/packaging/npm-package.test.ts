// The package as users get it: `npm pack` builds (prepare) and ships the compiled code without tests,
// `npm install -g <tarball>` gives a `skein` that prints its version and starts a node, and `npx` runs
// it from the tarball. Then the container files through real linters: the Dockerfile through
// dockerfile-utils (the validator of VS Code's Docker support), the compose file through Debian's
// docker-compose (`config` validates it against the Compose schema without an engine).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROOT } from '../../test/helpers/crash.js';
import { run } from '../helpers/commands.js';

const NPM = 'npm';
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const dir = mkdtempSync(join(tmpdir(), 'skein-package-'));
const tarball = join(dir, `skein-${version}.tgz`);
const prefix = join(dir, 'prefix');
// The npm cache has every dependency (npm ci filled it); no registry round trip per install.
const OFFLINE = ['--prefer-offline', '--no-audit', '--no-fund'];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const packed = await run(NPM, ['pack', '--pack-destination', dir, '--json'], '', 110_000, { ...process.env, npm_config_loglevel: 'error' });
  expect(packed.code, packed.stderr).toBe(0);
}, 120_000);

test('the tarball holds the compiled command and its config samples, no sources or tests', async () => {
  const listing = await run('tar', ['tzf', tarball]);
  const files = listing.stdout.split('\n').filter((f) => f !== '');
  expect(files).toContain('package/dist/src/cli/main.js');
  expect(files).toContain('package/dist/src/cli/healthcheck.js');
  expect(files).toContain('package/config/server.properties');
  expect(files).toContain('package/README.md');
  expect(files.filter((f) => /^package\/(test|compat|bench|src|dist\/test|dist\/bench)\//.test(f) || f.endsWith('.ts') || f.endsWith('.map'))).toEqual([]);
});

test('npm install -g of the tarball gives a skein that prints its version and starts a node', async () => {
  const installed = await run(NPM, ['install', '-g', '--prefix', prefix, ...OFFLINE, tarball], '', 110_000);
  expect(installed.code, installed.stderr).toBe(0);
  const skein = join(prefix, 'bin', 'skein');
  const shown = await run(skein, ['--version']);
  expect(shown.stdout).toBe(`${version}\n`);

  const child = spawn(skein, ['start', '--data-dir', join(dir, 'data'), '--kafka-port', '0', '--zookeeper-port', '0', '--log-format', 'json'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"skein node started"')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`skein start exited with ${code}: ${out}`)));
  });
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});

test('npx runs skein from the tarball', async () => {
  const r = await run(NPM, ['exec', '--yes', ...OFFLINE, `--package=${tarball}`, '--', 'skein', '--version'], '', 110_000);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe(`${version}\n`);
});

test('the Dockerfile and docker-compose.yml pass their linters', async () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  expect(validate(dockerfile).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
  expect(dockerfile).toMatch(/^USER node$/m);
  expect(dockerfile).toMatch(/^VOLUME \/data$/m);

  const compose = await run('docker-compose', ['--project-directory', ROOT, '-f', join(ROOT, 'docker-compose.yml'), 'config', '-q']);
  expect(compose.stderr).toBe('');
  expect(compose.code).toBe(0);
});
