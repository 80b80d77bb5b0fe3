// The console's compiled front end (console/ built by Vite into dist/console), read from disk per
// request (a handful of small files): hashed assets are cached for a year, index.html is revalidated
// every time (it names the current hashes).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** Where the build put the front end: dist/console, seen from dist/src/console (compiled) or src/console (tests on sources). */
export function consoleAssetsDir(): string | undefined {
  for (const rel of ['../../console/', '../../dist/console/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

/** Answers GET `path` from `dir`; false when there is no such asset. */
export async function serveAsset(dir: string, path: string, res: ServerResponse): Promise<boolean> {
  const rel = path === '/' ? 'index.html' : normalize(decodeURIComponent(path)).replace(/^\/+/, '');
  // normalize() resolved any ..; one left at the front would leave the directory.
  if (rel.startsWith('..') || rel.includes('\0')) return false;
  const type = TYPES[extname(rel)];
  if (type === undefined) return false;
  let body: Buffer;
  try {
    body = await readFile(join(dir, rel));
  } catch {
    return false;
  }
  const immutable = rel.startsWith('assets/');
  res.writeHead(200, {
    'content-type': type,
    'content-length': body.length,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
  return true;
}
