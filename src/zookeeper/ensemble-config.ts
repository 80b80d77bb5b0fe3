// The ensemble a zoo.cfg describes: the server.N lines (in zoo.cfg or in ZooKeeper 3.5's separate
// dynamicConfigFile), this server's id from dataDir/myid, and the keys only an ensemble uses. Rules are
// ZooKeeper's (QuorumPeerConfig, QuorumServer, QuorumMaj) except where Skein is stricter: a repeated
// server id is refused instead of the last line silently winning, and addresses are compared as written
// (no DNS) so two servers may not claim the same host:port.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProperties, type PropertyLine } from '../config/properties.js';
import { ConfigError } from '../config/schema.js';
import type { Membership, NodeId } from '../consensus/types.js';

export type PeerRole = 'participant' | 'observer';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** One `server.N=host:quorumPort:electionPort[:role][;[clientHost:]clientPort]` line. */
export interface EnsembleServer {
  readonly id: NodeId;
  readonly role: PeerRole;
  /** Where the server's peers reach it; Skein carries all peer traffic (election included) here. */
  readonly quorum: HostPort;
  /** Parsed and checked as ZooKeeper does, but unused: Skein elects over the quorum connection. */
  readonly electionPort: number;
  /** The line's client address, or null when the line has none (the server's zoo.cfg clientPort then applies). */
  readonly client: HostPort | null;
}

export interface Ensemble {
  readonly myid: NodeId;
  readonly me: EnsembleServer;
  /** Every server.N line, ordered by id. */
  readonly servers: readonly EnsembleServer[];
  /** Participants vote; observers are the consensus core's learners. */
  readonly membership: Membership;
  /** The dynamic configuration's version (a zxid: the hex suffix of dynamicConfigFile's name), 0 without one. */
  readonly version: bigint;
  readonly dynamicConfigFile: string | null;
  /** Ticks a follower has to connect and sync to a leader. */
  readonly initLimit: number;
  /** Ticks a follower may lag the leader before it is dropped. */
  readonly syncLimit: number;
  readonly readOnlyModeEnabled: boolean;
  /** false: one participant still runs the quorum, and a reconfig may leave a single voter (as ZooKeeper). */
  readonly standaloneEnabled: boolean;
}

/** Reads a config file's text; undefined when there is no such file. */
export interface ConfigFiles {
  read(path: string): string | undefined;
}

/** No files at all: what a config parsed from text alone sees. */
export const NO_FILES: ConfigFiles = { read: () => undefined };

/** The local disk. A directory where a file is expected counts as missing, as ZooKeeper's isFile() check. */
export const DISK_FILES: ConfigFiles = {
  read(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
      throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`);
    }
  },
};

/** Session ids carry the server id in their top byte; TTL nodes reserve 0xff there (ZooKeeper's EphemeralType). */
export function maxServerId(extendedTypesEnabled: boolean): number {
  return extendedTypesEnabled ? 254 : 255;
}

export interface EnsembleInput {
  /** zoo.cfg's lines, in file order, overrides last. */
  readonly lines: readonly PropertyLine[];
  readonly files: ConfigFiles;
  readonly dataDir: string;
  readonly standaloneEnabled: boolean;
  readonly extendedTypesEnabled: boolean;
  readonly peerType: PeerRole | undefined;
  readonly initLimit: number | undefined;
  readonly syncLimit: number | undefined;
  readonly readOnlyModeEnabled: boolean;
  /** zoo.cfg's own client address, when it sets clientPort. */
  readonly clientAddress: HostPort | null;
}

export interface EnsembleResult {
  /** null: the config runs standalone (no server lines, or one participant with standaloneEnabled). */
  readonly ensemble: Ensemble | null;
  /** Legal but unwise (no failure tolerated, an even number of voters, a peerType the list overrides). */
  readonly warnings: readonly string[];
}

const WILDCARDS = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

/** Parses and checks the ensemble; throws ConfigError saying what to change. */
export function parseEnsemble(input: EnsembleInput): EnsembleResult {
  const warnings: string[] = [];
  const maxId = maxServerId(input.extendedTypesEnabled);
  const dynamicConfigFile = lastValue(input.lines, 'dynamicConfigFile');
  let serverLines = input.lines.filter((l) => l.key.startsWith('server.'));
  let version = 0n;
  if (dynamicConfigFile !== undefined) {
    const inStatic = serverLines[0];
    if (inStatic) throw new ConfigError(`${inStatic.key}: must be in the dynamic config file ${dynamicConfigFile}, not in zoo.cfg`);
    const text = input.files.read(dynamicConfigFile);
    if (text === undefined) throw new ConfigError(`dynamicConfigFile=${dynamicConfigFile}: no such file`);
    serverLines = dynamicLines(dynamicConfigFile, text);
    version = versionFromFilename(dynamicConfigFile);
  }
  const servers = serverLines.map((l) => parseServerLine(l.key, l.value, maxId));
  const byId = new Map<NodeId, EnsembleServer>();
  for (const [i, s] of servers.entries()) {
    if (byId.has(s.id)) throw new ConfigError(`${serverLines[i]!.key}: server id ${s.id} is listed twice`);
    byId.set(s.id, s);
  }
  checkAddresses(servers);
  const voters = servers.filter((s) => s.role === 'participant');
  const observers = servers.filter((s) => s.role === 'observer');
  if (voters.length === 0) {
    if (!input.standaloneEnabled) throw new ConfigError('standaloneEnabled=false needs at least one participant server.N line');
    if (observers.length > 0) throw new ConfigError('observers without participants: an ensemble needs participant server.N lines');
    return { ensemble: null, warnings };
  }
  if (voters.length === 1 && input.standaloneEnabled) {
    if (observers.length > 0) {
      throw new ConfigError('observers without a quorum: one participant runs standalone; add participants or set standaloneEnabled=false');
    }
    return { ensemble: null, warnings };
  }
  if (voters.length <= 2) warnings.push(`${voters.length} participants tolerate no server failure: an ensemble needs at least 3`);
  else if (voters.length % 2 === 0) warnings.push(`${voters.length} participants tolerate no more failures than ${voters.length - 1}: consider an odd number`);
  const ids = [...byId.keys()].sort((a, b) => a - b);
  const myid = readMyid(input.files, input.dataDir, ids, maxId);
  const me = byId.get(myid)!;
  if (input.peerType !== undefined && input.peerType !== me.role) {
    warnings.push(`peerType=${input.peerType} differs from server.${myid}'s role ${me.role}: the server list wins`);
  }
  const mine = clientAddressOf(me, input.clientAddress);
  const initLimit = required('initLimit', input.initLimit, 'ticks a follower has to connect and sync, e.g. 10');
  const syncLimit = required('syncLimit', input.syncLimit, 'ticks a follower may lag, e.g. 5');
  return {
    ensemble: {
      myid,
      me: { ...me, client: mine },
      servers: ids.map((id) => byId.get(id)!),
      membership: { voters: voters.map((s) => s.id).sort((a, b) => a - b), learners: observers.map((s) => s.id).sort((a, b) => a - b) },
      version,
      dynamicConfigFile: dynamicConfigFile ?? null,
      initLimit,
      syncLimit,
      readOnlyModeEnabled: input.readOnlyModeEnabled,
      standaloneEnabled: input.standaloneEnabled,
    },
    warnings,
  };
}

function lastValue(lines: readonly PropertyLine[], key: string): string | undefined {
  return lines.findLast((l) => l.key === key)?.value.trim();
}

function required(key: string, v: number | undefined, what: string): number {
  if (v === undefined) throw new ConfigError(`${key} is not set: an ensemble needs it (${what})`);
  return v;
}

/** A dynamic file holds server.N lines only; its version is in its name, never inside (as ZooKeeper). */
function dynamicLines(path: string, text: string): PropertyLine[] {
  const lines = parseProperties(text);
  for (const l of lines) {
    if (l.key === 'version') throw new ConfigError(`${path} (line ${l.line}): the version belongs in the file name (${path}.<hex version>), not inside`);
    if (l.key.startsWith('group.') || l.key.startsWith('weight.')) throw new ConfigError(`${path} (line ${l.line}): hierarchical quorums (${l.key}) are not supported`);
    if (!l.key.startsWith('server.')) throw new ConfigError(`${path} (line ${l.line}): ${l.key} does not belong in a dynamic config file (server.N lines only)`);
  }
  return lines;
}

/** `zoo.cfg.dynamic.100000000` has version 0x100000000; a name without a hex suffix has version 0. */
export function versionFromFilename(path: string): bigint {
  const suffix = path.slice(path.lastIndexOf('.') + 1);
  return path.includes('.') && /^[0-9a-fA-F]{1,16}$/.test(suffix) ? BigInt(`0x${suffix}`) : 0n;
}

const FORM = 'host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort]';

/** One server line, as ZooKeeper's QuorumServer reads it (one address: `|` lists need multiAddress.enabled). */
export function parseServerLine(key: string, value: string, maxId: number): EnsembleServer {
  const fail = (why: string): never => {
    throw new ConfigError(`${key}=${value}: ${why}`);
  };
  const idText = key.slice('server.'.length);
  if (!/^\d+$/.test(idText)) fail(`expected server.<id> with a numeric id`);
  const id = Number(idText);
  if (id < 1 || id > maxId) fail(`server id ${idText} is not from 1 to ${maxId}`);
  const halves = value.trim().split(';');
  if (halves.length > 2) fail(`expected ${FORM}`);
  if (halves[0]!.includes('|')) fail('several addresses per server (multiAddress) are not supported');
  const parts = hostAndPorts(halves[0]!, fail);
  if (parts.length < 3 || parts.length > 4) fail(`expected ${FORM}`);
  const [host, quorumPort, electionPort, roleText] = parts as [string, string, string, string | undefined];
  if (host === '') fail('the host is empty');
  const quorum = { host, port: port(quorumPort, fail) };
  const election = port(electionPort, fail);
  if (quorum.port === election) fail('the quorum and election ports must differ');
  let role: PeerRole = 'participant';
  if (roleText !== undefined) {
    const r = roleText.trim().toLowerCase();
    if (r !== 'participant' && r !== 'observer') fail(`unrecognised peer type "${roleText}" (participant or observer)`);
    role = r as PeerRole;
  }
  let client: HostPort | null = null;
  if (halves.length === 2) {
    const c = hostAndPorts(halves[1]!, fail);
    if (c.length > 2 || (c.length === 2 && c[0] === '')) fail(`expected the client address as port or host:port`);
    client = { host: c.length === 2 ? c[0]! : '0.0.0.0', port: port(c[c.length - 1]!, fail) };
  }
  return { id, role, quorum, electionPort: election, client };
}

/** `host:a:b` into its parts; an IPv6 host must be in brackets (`[::1]:a:b`), which are removed. */
function hostAndPorts(s: string, fail: (why: string) => never): string[] {
  const t = s.trim();
  if (!t.startsWith('[')) return t.split(':');
  const close = t.indexOf(']');
  if (close < 0) fail(`"${t}" opens an IPv6 address with [ but never closes it`);
  const rest = t.slice(close + 1);
  if (rest !== '' && !rest.startsWith(':')) fail(`expected : after the IPv6 address in "${t}"`);
  return [t.slice(1, close), ...(rest === '' ? [] : rest.slice(1).split(':'))];
}

function port(text: string, fail: (why: string) => never): number {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t) || Number(t) < 1 || Number(t) > 65535) fail(`"${text}" is not a port from 1 to 65535`);
  return Number(t);
}

const hostKey = (a: HostPort) => `${a.host.toLowerCase()}:${a.port}`;

/** No two servers (nor one server's two ports) may claim one address; wildcard client addresses bind every host alike. */
export function checkAddresses(servers: readonly EnsembleServer[]): void {
  const owner = new Map<string, string>();
  for (const s of servers) {
    const addresses: [string, HostPort][] = [
      ['quorum', s.quorum],
      ['election', { host: s.quorum.host, port: s.electionPort }],
    ];
    if (s.client && !WILDCARDS.has(s.client.host)) addresses.push(['client', s.client]);
    for (const [what, a] of addresses) {
      const k = hostKey(a);
      const prior = owner.get(k);
      if (prior) throw new ConfigError(`server.${s.id}: ${formatHostPort(a)} is both its ${what} address and ${prior}`);
      owner.set(k, `server.${s.id}'s ${what} address`);
    }
  }
}

export function formatHostPort(a: HostPort): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/**
 * This server's client address: its line's, else zoo.cfg's. Both given must agree (a wildcard
 * clientPortAddress agrees on the port alone), as ZooKeeper's setupClientPort checks.
 */
function clientAddressOf(me: EnsembleServer, fromCfg: HostPort | null): HostPort | null {
  if (!me.client || !fromCfg) return me.client ?? fromCfg;
  const agrees = WILDCARDS.has(fromCfg.host) ? fromCfg.port === me.client.port : hostKey(fromCfg) === hostKey(me.client);
  if (!agrees) {
    throw new ConfigError(
      `server.${me.id} gives client address ${formatHostPort(me.client)} but zoo.cfg's clientPortAddress/clientPort say ${formatHostPort(fromCfg)}: give it in one place`,
    );
  }
  return me.client;
}

/**
 * dataDir/myid as ZooKeeper reads it: the first line is the id, digits only. Missing or wrong, the
 * message says what to write where.
 */
function readMyid(files: ConfigFiles, dataDir: string, ids: readonly NodeId[], maxId: number): NodeId {
  const path = join(dataDir, 'myid');
  const choices = `one of ${ids.join(', ')} from server.N`;
  const text = files.read(path);
  if (text === undefined) throw new ConfigError(`dataDir=${dataDir} has no myid file: write this server's id (${choices}) to ${path}`);
  const first = text.split(/\r\n|\r|\n/)[0]!;
  if (!/^\d+$/.test(first)) {
    throw new ConfigError(`${path} starts with ${JSON.stringify(first.slice(0, 40))}, not a server id: write this server's id (${choices}) alone on its first line`);
  }
  const id = Number(first);
  if (id < 1 || id > maxId || !ids.includes(id)) {
    throw new ConfigError(`${path} says ${first}, which is not a server of this ensemble: write this server's id (${choices}) to it`);
  }
  return id;
}

/** A server line as ZooKeeper's QuorumServer prints it (conf, /zookeeper/config). */
export function formatServerLine(s: EnsembleServer): string {
  const client = s.client ? `;${formatHostPort(s.client)}` : '';
  return `server.${s.id}=${formatHostPort(s.quorum)}:${s.electionPort}:${s.role}${client}`;
}

/** /zookeeper/config's text: the server lines, then `version=` and the configuration version in hex. */
export function formatConfigText(servers: readonly EnsembleServer[], version: bigint): string {
  return `${[...servers].sort((a, b) => a.id - b.id).map(formatServerLine).join('\n')}\nversion=${version.toString(16)}`;
}

/** Reads /zookeeper/config's text back; throws ConfigError on a line that is not a server line or the version. */
export function parseConfigText(text: string, maxId: number): { servers: EnsembleServer[]; version: bigint } {
  const servers: EnsembleServer[] = [];
  let version = 0n;
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (line.trim() === '') continue;
    if (eq < 0) throw new ConfigError(`"${line}" is neither a server line nor the version`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'version') version = BigInt(`0x${value}`);
    else servers.push(parseServerLine(key, value, maxId));
  }
  return { servers, version };
}
