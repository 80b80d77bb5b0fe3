// The server side of SASL DIGEST-MD5 (RFC 2831) with qop=auth, as Java's DigestMD5Server answers it for
// ZooKeeper: the client's empty first token gets a challenge (realm, nonce, qop, charset, algorithm), the
// client's digest-response is checked against the user's password, and the answer is rspauth, which proves
// to the client that the server knows the password too. Pure: the nonce comes from the caller. Failure
// reasons are fit for a log line: they never carry a password or a digest.
import { createHash, timingSafeEqual } from 'node:crypto';

export class SaslError extends Error {
  override readonly name = 'SaslError';
}

/** RFC 2831 2.1.2: a digest-response is less than 4096 bytes. */
export const MAX_DIGEST_RESPONSE_BYTES = 4096;

export interface DigestMd5ServerOptions {
  /** The service, the first part of the digest-uri ("zookeeper"). */
  readonly protocol: string;
  /** The server name, the digest-uri's second part and the realm offered ("zk-sasl-md5" for ZooKeeper). */
  readonly serverName: string;
  /** A fresh unguessable nonce for this exchange (no quotes, commas or backslashes). */
  readonly nonce: string;
  /** The password of `user`, or undefined for an unknown user. */
  password(user: string): string | undefined;
}

/** What the response and rspauth digests are computed from (RFC 2831 2.1.2.1). */
export interface DigestParams {
  readonly username: string;
  readonly realm: string;
  readonly password: string;
  readonly nonce: string;
  readonly cnonce: string;
  /** The nonce count as sent: 8 hex digits. */
  readonly nc: string;
  readonly qop: string;
  readonly digestUri: string;
  readonly authzid?: string;
  /** charset=utf-8 was sent: strings that fit ISO 8859-1 are hashed in it, others in UTF-8. */
  readonly utf8: boolean;
}

const md5 = (...parts: (string | Buffer)[]) => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** RFC 2831 2.1.2.1: with charset=utf-8, a string whose characters all fit ISO 8859-1 is hashed in that. */
function hashBytes(s: string, utf8: boolean): Buffer {
  // eslint-disable-next-line no-control-regex
  return !utf8 || /^[\u0000-\u00ff]*$/.test(s) ? Buffer.from(s, 'latin1') : Buffer.from(s, 'utf8');
}

function digestWith(p: DigestParams, a2: string): string {
  const secret = md5(hashBytes(p.username, p.utf8), ':', hashBytes(p.realm, p.utf8), ':', hashBytes(p.password, p.utf8));
  const a1 = [secret, Buffer.from(`:${p.nonce}:${p.cnonce}${p.authzid === undefined ? '' : `:${p.authzid}`}`, 'utf8')];
  const ha1 = md5(...a1).toString('hex');
  return md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${md5(a2).toString('hex')}`).toString('hex');
}

/** The client's `response` value. */
export function digestMd5Response(p: DigestParams): string {
  return digestWith(p, `AUTHENTICATE:${p.digestUri}`);
}

/** The server's `rspauth` value. */
export function digestMd5ResponseAuth(p: DigestParams): string {
  return digestWith(p, `:${p.digestUri}`);
}

/** Directives that RFC 2831 allows once in a digest-response. */
const SINGLE = new Set(['username', 'realm', 'nonce', 'cnonce', 'nc', 'qop', 'digest-uri', 'response', 'maxbuf', 'charset', 'cipher', 'authzid']);

/** `key=value` / `key="value"` directives separated by commas (RFC 2831's #rule, empty elements allowed). */
export function parseDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  while (i < text.length) {
    skipSpace();
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (i >= text.length) break;
    let key = '';
    while (i < text.length && /[A-Za-z0-9-]/.test(text[i]!)) key += text[i++];
    skipSpace();
    if (key === '' || text[i] !== '=') throw new SaslError('malformed digest-response: expected a directive name and "="');
    i++;
    skipSpace();
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        if (i < text.length) value += text[i++];
      }
      if (i >= text.length) throw new SaslError(`malformed digest-response: quoted ${key} not closed`);
      i++;
    } else {
      while (i < text.length && text[i] !== ',' && !' \t\r\n'.includes(text[i]!)) value += text[i++];
    }
    skipSpace();
    if (i < text.length && text[i] !== ',') throw new SaslError(`malformed digest-response: expected "," after ${key}`);
    const name = key.toLowerCase();
    if (SINGLE.has(name) && out.has(name)) throw new SaslError(`malformed digest-response: ${name} appears twice`);
    out.set(name, value);
  }
  return out;
}

type State = 'start' | 'challenged' | 'complete' | 'failed';

/** One client's DIGEST-MD5 exchange. */
export class DigestMd5Server {
  private state: State = 'start';
  private user: string | undefined;

  constructor(private readonly opts: DigestMd5ServerOptions) {}

  get complete(): boolean {
    return this.state === 'complete';
  }

  /** The authenticated user, once complete. */
  get authorizationId(): string | undefined {
    return this.state === 'complete' ? this.user : undefined;
  }

  /** The next server token for the client's `token`. Throws SaslError when authentication fails. */
  evaluate(token: Buffer): Buffer {
    try {
      return this.step(token);
    } catch (err) {
      this.state = 'failed';
      throw err;
    }
  }

  private step(token: Buffer): Buffer {
    switch (this.state) {
      case 'start':
        // Java's server ignores an initial response: DIGEST-MD5 has none, the server speaks first.
        this.state = 'challenged';
        return Buffer.from(
          `realm="${this.opts.serverName}",nonce="${this.opts.nonce}",qop="auth",charset=utf-8,algorithm=md5-sess`,
          'utf8',
        );
      case 'challenged':
        return this.verify(token);
      case 'complete':
        throw new SaslError('DIGEST-MD5 exchange already complete');
      case 'failed':
        throw new SaslError('DIGEST-MD5 exchange already failed');
    }
  }

  private verify(token: Buffer): Buffer {
    if (token.length === 0) throw new SaslError('empty digest-response');
    if (token.length >= MAX_DIGEST_RESPONSE_BYTES) throw new SaslError(`digest-response of ${token.length} bytes (the limit is ${MAX_DIGEST_RESPONSE_BYTES})`);
    // Without charset=utf-8 the strings are ISO 8859-1 (RFC 2831 2.1.2).
    const latin = parseDirectives(token.toString('latin1'));
    const utf8 = latin.get('charset') !== undefined;
    if (utf8 && latin.get('charset')!.toLowerCase() !== 'utf-8') throw new SaslError('charset is not utf-8');
    const d = utf8 ? parseDirectives(token.toString('utf8')) : latin;
    const need = (name: string) => {
      const v = d.get(name);
      if (v === undefined) throw new SaslError(`digest-response has no ${name}`);
      return v;
    };
    const username = need('username');
    const nonce = need('nonce');
    const cnonce = need('cnonce');
    const nc = need('nc');
    const digestUri = need('digest-uri');
    const response = need('response');
    const realm = d.get('realm') ?? '';
    const qop = d.get('qop') ?? 'auth';
    if (nonce !== this.opts.nonce) throw new SaslError('nonce does not match the challenge');
    if (!/^[0-9a-fA-F]{8}$/.test(nc) || parseInt(nc, 16) !== 1) throw new SaslError('nonce count is not 00000001');
    if (qop !== 'auth') throw new SaslError(`qop ${JSON.stringify(qop.slice(0, 20))} was not offered (only auth)`);
    if (d.has('realm') && realm !== this.opts.serverName) throw new SaslError('realm was not offered');
    const expectedUri = `${this.opts.protocol}/${this.opts.serverName}`;
    if (digestUri.toLowerCase() !== expectedUri.toLowerCase()) throw new SaslError(`digest-uri is not ${expectedUri}`);
    if (!/^[0-9a-f]{32}$/.test(response)) throw new SaslError('response is not 32 lowercase hex digits');
    const password = this.opts.password(username);
    if (password === undefined) throw new SaslError(`unknown user ${JSON.stringify(username.slice(0, 64))}`);
    const params: DigestParams = { username, realm, password, nonce, cnonce, nc, qop, digestUri, authzid: d.get('authzid'), utf8 };
    const expected = Buffer.from(digestMd5Response(params), 'latin1');
    if (!timingSafeEqual(expected, Buffer.from(response, 'latin1'))) throw new SaslError(`wrong password for user ${JSON.stringify(username.slice(0, 64))}`);
    this.user = username;
    this.state = 'complete';
    return Buffer.from(`rspauth=${digestMd5ResponseAuth(params)}`, 'latin1');
  }
}
