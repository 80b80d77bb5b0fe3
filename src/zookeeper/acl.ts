// Access control as ZooKeeper's checkACL and auth providers do it: schemes world, auth, digest, ip,
// x509 (a TLS client's certificate) and sasl (a SASL login's user), plus the super identity a superDigest or the x509 super user
// grants. Pure: identities come from the connection.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { ErrorCode, KeeperError } from '../../protocol/zookeeper/codes.js';
import type { ACL, ClientInfo, Id } from '../../protocol/zookeeper/records.js';

/** What a permission check needs of an ACL list: the entries and the permissions world:anyone has. */
export interface AclView {
  readonly entries: readonly ACL[];
  readonly worldPerms: number;
}

export function aclView(entries: readonly ACL[]): AclView {
  let worldPerms = 0;
  for (const a of entries) if (a.id.scheme === 'world' && a.id.id === 'anyone') worldPerms |= a.perms;
  return { entries, worldPerms };
}

/** user:base64(sha1("user:password")), the id digest ACLs and auth packets use. */
export function digestOf(userPassword: string): string {
  const colon = userPassword.indexOf(':');
  const user = colon < 0 ? userPassword : userPassword.slice(0, colon);
  return `${user}:${createHash('sha1').update(userPassword, 'utf8').digest('base64')}`;
}

/** Java's String.split(":") keeps no trailing empty parts; a digest id has exactly two. */
function validDigestId(id: string): boolean {
  const parts = id.split(':');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.length === 2;
}

function addressBytes(addr: string): number[] | undefined {
  const kind = isIP(addr);
  if (kind === 4) return addr.split('.').map(Number);
  if (kind !== 6) return undefined;
  let text = addr;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    // An embedded IPv4 tail becomes the last two 16-bit groups.
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = Array<string>(8 - headGroups.length - restGroups.length).fill('0');
  const bytes: number[] = [];
  for (const g of [...headGroups, ...zeros, ...restGroups]) {
    const n = parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  return bytes;
}

function parseIpExpr(expr: string): { bytes: number[]; bits: number } | undefined {
  const slash = expr.indexOf('/');
  const bytes = addressBytes(slash < 0 ? expr : expr.slice(0, slash));
  if (!bytes) return undefined;
  let bits = bytes.length * 8;
  if (slash >= 0) {
    const raw = expr.slice(slash + 1);
    if (!/^\d+$/.test(raw)) return undefined;
    bits = Number(raw);
    if (bits > bytes.length * 8) return undefined;
  }
  return { bytes, bits };
}

/** Whether the client address `ip` falls in the ACL expression `expr` (address or address/bits). */
export function ipMatches(ip: string, expr: string): boolean {
  const acl = parseIpExpr(expr);
  const remote = addressBytes(ip);
  if (!acl || !remote || remote.length !== acl.bytes.length) return false;
  for (let i = 0; i < remote.length; i++) {
    const bits = Math.min(8, Math.max(0, acl.bits - i * 8));
    const mask = (0xff << (8 - bits)) & 0xff;
    if ((remote[i]! & mask) !== (acl.bytes[i]! & mask)) return false;
  }
  return true;
}

function matches(scheme: string, authId: string, aclId: string): boolean {
  if (scheme === 'digest' || scheme === 'x509' || scheme === 'sasl') return authId === aclId;
  if (scheme === 'ip') return ipMatches(authId, aclId);
  return false;
}

/** Whether identities `auth` hold permission `perm` on a node with `acl`. */
export function permitted(acl: AclView, perm: number, auth: readonly Id[]): boolean {
  if ((acl.worldPerms & perm) !== 0 || acl.entries.length === 0) return true;
  for (const id of auth) if (id.scheme === 'super') return true;
  for (const a of acl.entries) {
    if ((a.perms & perm) === 0) continue;
    for (const id of auth) if (id.scheme === a.id.scheme && matches(id.scheme, id.id, a.id.id)) return true;
  }
  return false;
}

export function checkPermission(acl: AclView, perm: number, auth: readonly Id[], path: string): void {
  if (!permitted(acl, perm, auth)) throw new KeeperError(ErrorCode.noAuth, path);
}

/** Schemes whose identities an "auth" ACL entry stands for (their providers' isAuthenticated()). */
const AUTHENTICATED_SCHEMES = new Set(['digest', 'x509', 'sasl']);

/**
 * Validates an ACL list a client asks for and expands "auth" entries into the caller's authenticated
 * identities (digest, x509 and sasl ones; an ip identity does not count as authenticated). Throws InvalidACL.
 */
export function fixupACL(path: string, acl: readonly ACL[], auth: readonly Id[]): readonly ACL[] {
  if (acl.length === 1 && acl[0]!.id.scheme === 'world' && acl[0]!.id.id === 'anyone') return acl;
  const unique: ACL[] = [];
  for (const a of acl) {
    if (!unique.some((u) => u.perms === a.perms && u.id.scheme === a.id.scheme && u.id.id === a.id.id)) unique.push(a);
  }
  if (unique.length === 0) throw new KeeperError(ErrorCode.invalidACL, path);
  const out: ACL[] = [];
  for (const a of unique) {
    const { scheme, id } = a.id;
    if (scheme === 'world' && id === 'anyone') out.push(a);
    else if (scheme === 'auth') {
      const authenticated = auth.filter((i) => AUTHENTICATED_SCHEMES.has(i.scheme));
      if (authenticated.length === 0) throw new KeeperError(ErrorCode.invalidACL, path);
      for (const i of authenticated) out.push({ perms: a.perms, id: i });
    } else if (
      (scheme === 'digest' && validDigestId(id)) ||
      (scheme === 'ip' && parseIpExpr(id)) ||
      (scheme === 'x509' && validX500Name(id)) ||
      (scheme === 'sasl' && id !== '')
    ) {
      out.push(a);
    } else {
      throw new KeeperError(ErrorCode.invalidACL, path);
    }
  }
  return out;
}

/**
 * The identities an auth packet adds, or undefined when authentication fails (unknown scheme, bad
 * credentials). `superDigest` is the configured super:<digest>, if any.
 */
export function authenticate(
  scheme: string,
  data: Buffer | null,
  remoteIp: string,
  superDigest: string | undefined,
): Id[] | undefined {
  if (scheme === 'digest') {
    const credentials = (data ?? Buffer.alloc(0)).toString('utf8');
    if (!credentials.includes(':')) return undefined;
    const digest = digestOf(credentials);
    const ids: Id[] = [];
    if (superDigest !== undefined && digest === superDigest) ids.push({ scheme: 'super', id: '' });
    ids.push({ scheme: 'digest', id: digest });
    return ids;
  }
  if (scheme === 'ip') return [{ scheme: 'ip', id: remoteIp }];
  return undefined;
}

/**
 * Whether an x509 ACL id is an X.500 name as Java's X500Principal accepts it: RDNs of type=value,
 * separated by unescaped commas (or plus signs within one RDN), the type a keyword or a dotted OID.
 */
function validX500Name(id: string): boolean {
  const rdns = id.split(/(?<!\\)[,+]/);
  return id.trim() !== '' && rdns.every((rdn) => /^\s*(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)\s*=/.test(rdn));
}

/**
 * The identities a verified client certificate gives a TLS connection, as ZooKeeper's
 * X509AuthenticationProvider sets them: x509:<the subject's X.500 name>, and super when that name is the
 * configured X509AuthenticationProvider.superUser.
 */
export function x509Ids(distinguishedName: string, superUser: string | undefined): Id[] {
  const ids: Id[] = [{ scheme: 'x509', id: distinguishedName }];
  if (superUser !== undefined && distinguishedName === superUser) ids.push({ scheme: 'super', id: distinguishedName });
  return ids;
}

/** whoAmI's answer: each identity as (scheme, user name). */
export function clientInfos(auth: readonly Id[]): ClientInfo[] {
  return auth.map((id) => ({
    authScheme: id.scheme,
    user: id.scheme === 'digest' ? id.id.slice(0, Math.max(0, id.id.indexOf(':'))) || id.id : id.id,
  }));
}
