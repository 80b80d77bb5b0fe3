// ZooKeeper's connection string, "host1:port1,host2:port2/chroot", and the order servers are tried in:
// shuffled once, then round robin, as ZooKeeper's StaticHostProvider does, so that many clients given
// the same string spread over the ensemble. Paths under a chroot are rewritten on the way out and back.
import { pathProblem } from '../../../protocol/zookeeper/path.js';

export const DEFAULT_CLIENT_PORT = 2181;

export interface ServerAddress {
  host: string;
  port: number;
}

export interface ConnectString {
  servers: ServerAddress[];
  /** The chroot without a trailing slash, or '' for none. */
  chroot: string;
}

export class ConnectStringError extends Error {
  override readonly name = 'ConnectStringError';
}

/** Parses a connection string; IPv6 hosts go in brackets ("[::1]:2181"), a missing port means 2181. */
export function parseConnectString(s: string): ConnectString {
  const slash = s.indexOf('/');
  const hostsPart = slash < 0 ? s : s.slice(0, slash);
  let chroot = slash < 0 ? '' : s.slice(slash);
  if (chroot === '/') chroot = '';
  if (chroot !== '') {
    const problem = pathProblem(chroot);
    if (problem) throw new ConnectStringError(`invalid chroot ${chroot}: ${problem}`);
  }
  const servers: ServerAddress[] = [];
  for (const raw of hostsPart.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    servers.push(parseServer(entry));
  }
  if (servers.length === 0) throw new ConnectStringError(`no servers in "${s}"`);
  return { servers, chroot };
}

function parseServer(entry: string): ServerAddress {
  let host: string;
  let portText: string | undefined;
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    if (close < 0) throw new ConnectStringError(`unclosed [ in ${entry}`);
    host = entry.slice(1, close);
    const rest = entry.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new ConnectStringError(`bad server ${entry}`);
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = entry.lastIndexOf(':');
    host = colon < 0 ? entry : entry.slice(0, colon);
    portText = colon < 0 ? undefined : entry.slice(colon + 1);
  }
  const port = portText === undefined ? DEFAULT_CLIENT_PORT : Number(portText);
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConnectStringError(`bad server ${entry}`);
  }
  return { host, port };
}

/** Servers in a shuffled order, taken round robin; knows when a full round has been tried. */
export class HostList {
  private readonly order: ServerAddress[];
  private at = -1;

  constructor(servers: readonly ServerAddress[], random: () => number = Math.random) {
    this.order = [...servers];
    for (let i = this.order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [this.order[i], this.order[j]] = [this.order[j]!, this.order[i]!];
    }
  }

  get size(): number {
    return this.order.length;
  }

  /** The next server to try. */
  next(): ServerAddress {
    this.at = (this.at + 1) % this.order.length;
    return this.order[this.at]!;
  }

  /** Whether the last server next() gave closes a round through the list. */
  get roundDone(): boolean {
    return this.at === this.order.length - 1;
  }
}

/** Rewrites client paths into server paths under a chroot and back. */
export class Chroot {
  constructor(readonly prefix: string) {}

  toServer(path: string): string {
    if (this.prefix === '') return path;
    return path === '/' ? this.prefix : this.prefix + path;
  }

  /** The client path of a server path; paths outside the chroot come back unchanged. */
  toClient(path: string): string {
    if (this.prefix === '') return path;
    if (path === this.prefix) return '/';
    if (path.startsWith(this.prefix + '/')) return path.slice(this.prefix.length);
    return path;
  }

  contains(serverPath: string): boolean {
    return this.prefix === '' || serverPath === this.prefix || serverPath.startsWith(this.prefix + '/');
  }
}
