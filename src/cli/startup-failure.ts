// Start-up failures the operator can fix (a port in use, a data directory that cannot be used or is
// locked) become one line naming the setting and the cause, instead of a stack trace.
import { getSystemErrorMap } from 'node:util';
import { resolve, sep } from 'node:path';
import { DirLockedError } from '../fs/dir-lock.js';
import { ClusterJoinError } from '../kafka/cluster/membership.js';

/** A start that failed for a reason outside Skein; its message names the setting and the cause. */
export class StartupFailure extends Error {
  override readonly name = 'StartupFailure';
}

/** What a server was started with, each as the operator wrote it (e.g. `log.dirs=/var/lib/skein`). */
export interface StartSettings {
  /** The setting of the address and port it listens on, if it listens. */
  listener?: string;
  /** Its data directories and the setting of each. */
  dirs: { setting: string; dir: string }[];
}

function systemMessage(err: NodeJS.ErrnoException): string {
  return getSystemErrorMap().get(err.errno ?? 0)?.[1] ?? err.message;
}

function settingOfPath(settings: StartSettings, path: string): string | undefined {
  const full = resolve(path);
  return settings.dirs.find(({ dir }) => full === resolve(dir) || full.startsWith(resolve(dir) + sep) || resolve(dir).startsWith(full + sep))?.setting;
}

function listenCause(e: NodeJS.ErrnoException & { address?: string; port?: number }): string {
  switch (e.code) {
    case 'EADDRINUSE':
      return `port ${e.port} is already in use`;
    case 'EADDRNOTAVAIL':
      return `${e.address} is not an address of this machine`;
    case 'EACCES':
      return `no permission to listen on port ${e.port}`;
    default:
      return systemMessage(e);
  }
}

function named(setting: string | undefined, cause: string): StartupFailure {
  return new StartupFailure(setting === undefined ? cause : `${setting}: ${cause}`);
}

/** The one-line form of `err` if it is a failure of the environment, or undefined for anything else. */
export function startupFailureOf(err: unknown, settings: StartSettings): StartupFailure | undefined {
  if (err instanceof DirLockedError) return named(settingOfPath(settings, err.dir), err.message);
  // Its message names the setting already (zookeeper.connect, broker.id).
  if (err instanceof ClusterJoinError) return new StartupFailure(err.message);
  if (!(err instanceof Error) || typeof (err as NodeJS.ErrnoException).code !== 'string') return undefined;
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
  if (e.syscall === 'listen') return named(settings.listener, listenCause(e));
  if (e.syscall === 'getaddrinfo') return named(settings.listener, `cannot resolve host ${e.hostname}`);
  if (e.path !== undefined) return named(settingOfPath(settings, e.path), `cannot ${e.syscall ?? 'use'} ${e.path}: ${systemMessage(e)}`);
  return undefined;
}

/** Runs `start`; a failure of the environment is rethrown as a StartupFailure naming its setting. */
export async function startNaming<T>(settings: StartSettings, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    throw startupFailureOf(err, settings) ?? err;
  }
}
