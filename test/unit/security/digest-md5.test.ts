import { describe, expect, it } from 'vitest';
import { DigestMd5Server, digestMd5Response, digestMd5ResponseAuth, MAX_DIGEST_RESPONSE_BYTES, parseDirectives, SaslError } from '../../../src/security/digest-md5.js';

// RFC 2831 section 4's IMAP example.
const RFC = {
  username: 'chris',
  realm: 'elwood.innosoft.com',
  password: 'secret',
  nonce: 'OA6MG9tEQGm2hh',
  cnonce: 'OA6MHXh6VqTrRk',
  nc: '00000001',
  qop: 'auth',
  digestUri: 'imap/elwood.innosoft.com',
  utf8: false,
};

describe('DIGEST-MD5 digests', () => {
  it('match RFC 2831 section 4', () => {
    expect(digestMd5Response(RFC)).toBe('d388dad90d4bbd760a152321f2143af7');
    expect(digestMd5ResponseAuth(RFC)).toBe('ea40f60335c427b5527b84dbabcdfffd');
  });

  it('hash ISO 8859-1 text in ISO 8859-1 even with charset=utf-8, and other text in UTF-8', () => {
    const latin = { ...RFC, password: 'sécret' };
    expect(digestMd5Response({ ...latin, utf8: true })).toBe(digestMd5Response(latin));
    const wide = { ...RFC, password: 'секрет' };
    expect(digestMd5Response({ ...wide, utf8: true })).not.toBe(digestMd5Response({ ...RFC, utf8: true }));
  });
});

describe('parseDirectives', () => {
  it('reads quoted and bare values, escapes and empty elements', () => {
    const d = parseDirectives(' username="a\\"b" , ,nc=00000001,digest-uri="x/y,z"');
    expect(Object.fromEntries(d)).toEqual({ username: 'a"b', nc: '00000001', 'digest-uri': 'x/y,z' });
  });

  it.each(['username', '="x"', 'a="x', 'a=b c', 'nonce=a,nonce=b'])('refuses %j', (text) => {
    expect(() => parseDirectives(text)).toThrow(SaslError);
  });
});

/** A client's digest-response to `challenge`, as puresasl and Java's DigestMD5Client write it. */
function respond(challenge: Buffer, user: string, password: string, extra: Partial<Record<string, string>> = {}): Buffer {
  const c = parseDirectives(challenge.toString());
  const fields = { username: user, realm: c.get('realm')!, nonce: c.get('nonce')!, cnonce: 'cn0nce', nc: '00000001', qop: 'auth', digestUri: 'zookeeper/zk-sasl-md5' };
  const response = digestMd5Response({ ...fields, password, utf8: true });
  const directives: Record<string, string> = {
    charset: 'utf-8',
    username: `"${user}"`,
    realm: `"${fields.realm}"`,
    nonce: `"${fields.nonce}"`,
    nc: fields.nc,
    cnonce: `"${fields.cnonce}"`,
    'digest-uri': `"${fields.digestUri}"`,
    maxbuf: '65536',
    response,
    qop: 'auth',
    ...extra,
  };
  return Buffer.from(Object.entries(directives).map(([k, v]) => `${k}=${v}`).join(','));
}

function server(): DigestMd5Server {
  const users = new Map([['jaasuser', 'jaas_password']]);
  return new DigestMd5Server({ protocol: 'zookeeper', serverName: 'zk-sasl-md5', nonce: 'n0nce', password: (u) => users.get(u) });
}

describe('DigestMd5Server', () => {
  it('challenges as ZooKeeper does, verifies the response and proves it knows the password', () => {
    const s = server();
    const challenge = s.evaluate(Buffer.alloc(0));
    expect(challenge.toString()).toBe('realm="zk-sasl-md5",nonce="n0nce",qop="auth",charset=utf-8,algorithm=md5-sess');
    expect(s.complete).toBe(false);
    const answer = s.evaluate(respond(challenge, 'jaasuser', 'jaas_password'));
    const params = { username: 'jaasuser', realm: 'zk-sasl-md5', password: 'jaas_password', nonce: 'n0nce', cnonce: 'cn0nce', nc: '00000001', qop: 'auth', digestUri: 'zookeeper/zk-sasl-md5', utf8: true };
    expect(answer.toString()).toBe(`rspauth=${digestMd5ResponseAuth(params)}`);
    expect(s.complete).toBe(true);
    expect(s.authorizationId).toBe('jaasuser');
    expect(() => s.evaluate(Buffer.alloc(0))).toThrow(/already complete/);
  });

  it.each([
    ['a wrong password', 'jaasuser', 'nope', {}, /wrong password for user "jaasuser"/],
    ['an unknown user', 'baduser', 'badpassword', {}, /unknown user "baduser"/],
    ['another nonce', 'jaasuser', 'jaas_password', { nonce: '"other"' }, /nonce does not match/],
    ['a replayed nonce count', 'jaasuser', 'jaas_password', { nc: '00000002' }, /nonce count/],
    ['another service', 'jaasuser', 'jaas_password', { 'digest-uri': '"imap/zk-sasl-md5"' }, /digest-uri/],
    ['qop auth-conf', 'jaasuser', 'jaas_password', { qop: 'auth-conf' }, /qop/],
    ['another realm', 'jaasuser', 'jaas_password', { realm: '"elsewhere"' }, /realm/],
  ])('fails on %s, naming no secret', (_what, user, password, extra, reason) => {
    const s = server();
    const challenge = s.evaluate(Buffer.alloc(0));
    let err: unknown;
    try {
      s.evaluate(respond(challenge, user, password, extra));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SaslError);
    expect((err as Error).message).toMatch(reason);
    expect((err as Error).message).not.toContain('jaas_password');
    expect(s.complete).toBe(false);
    expect(() => s.evaluate(Buffer.alloc(0))).toThrow(/already failed/);
  });

  it('refuses garbage and oversized responses', () => {
    for (const token of [Buffer.alloc(0), Buffer.from('\u0000\u0001=,,"'), Buffer.alloc(MAX_DIGEST_RESPONSE_BYTES, 0x61), Buffer.from('username="jaasuser"')]) {
      const s = server();
      s.evaluate(Buffer.alloc(0));
      expect(() => s.evaluate(token)).toThrow(SaslError);
    }
  });
});
