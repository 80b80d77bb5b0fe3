import { describe, expect, it } from 'vitest';
import { ErrorCode, Perms } from '../../../protocol/zookeeper/codes.js';
import { aclView, authenticate, digestOf, fixupACL, ipMatches, permitted, x509Ids } from '../../../src/zookeeper/acl.js';

const world = (perms: number) => ({ perms, id: { scheme: 'world', id: 'anyone' } });

describe('ACL checks', () => {
  it('derives digests as ZooKeeper’s DigestAuthenticationProvider does', () => {
    expect(digestOf('super:test')).toBe('super:D/InIHSb7yEEbrWz8b9l71RjZJU=');
    expect(authenticate('digest', Buffer.from('u:p'), '1.2.3.4', undefined)).toEqual([{ scheme: 'digest', id: digestOf('u:p') }]);
    expect(authenticate('digest', Buffer.from('u:p'), '1.2.3.4', digestOf('u:p'))![0]).toEqual({ scheme: 'super', id: '' });
    expect(authenticate('digest', Buffer.from('nocolon'), '1.2.3.4', undefined)).toBeUndefined();
    expect(authenticate('sasl', null, '1.2.3.4', undefined)).toBeUndefined();
  });

  it('x509: a certificate\'s X.500 name is an authenticated identity, matched exactly; the configured super user is super', () => {
    const alice = x509Ids('CN=alice,O=Skein', 'CN=root,O=Skein');
    expect(alice).toEqual([{ scheme: 'x509', id: 'CN=alice,O=Skein' }]);
    const acl = aclView([{ perms: Perms.read, id: { scheme: 'x509', id: 'CN=alice,O=Skein' } }]);
    expect(permitted(acl, Perms.read, alice)).toBe(true);
    expect(permitted(acl, Perms.read, x509Ids('CN=alice,O=Other', undefined))).toBe(false);
    expect(permitted(acl, Perms.write, x509Ids('CN=root,O=Skein', 'CN=root,O=Skein'))).toBe(true);
    // The auth scheme expands to the certificate's identity, as to a digest one.
    expect(fixupACL('/p', [{ perms: Perms.all, id: { scheme: 'auth', id: '' } }], [{ scheme: 'ip', id: '1.2.3.4' }, ...alice])).toEqual([
      { perms: Perms.all, id: { scheme: 'x509', id: 'CN=alice,O=Skein' } },
    ]);
  });

  it('matches ip ACLs by address and prefix, IPv4 and IPv6', () => {
    expect(ipMatches('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(ipMatches('127.0.0.1', '127.0.0.0/8')).toBe(true);
    expect(ipMatches('10.1.2.3', '127.0.0.0/8')).toBe(false);
    expect(ipMatches('10.1.2.3', '10.1.0.0/17')).toBe(true);
    expect(ipMatches('10.1.200.3', '10.1.0.0/17')).toBe(false);
    expect(ipMatches('::1', '::1')).toBe(true);
    expect(ipMatches('2001:db8::7', '2001:db8::/32')).toBe(true);
    expect(ipMatches('2001:db9::7', '2001:db8::/32')).toBe(false);
    expect(ipMatches('::ffff:10.0.0.1', '::ffff:10.0.0.0/120')).toBe(true);
    expect(ipMatches('127.0.0.1', '::1')).toBe(false);
    expect(ipMatches('127.0.0.1', '127.0.0.1/40')).toBe(false);
  });

  it('grants by world, matching identity or super', () => {
    const acl = aclView([world(Perms.read), { perms: Perms.all, id: { scheme: 'digest', id: 'u:h' } }]);
    expect(permitted(acl, Perms.read, [])).toBe(true);
    expect(permitted(acl, Perms.write, [])).toBe(false);
    expect(permitted(acl, Perms.write, [{ scheme: 'digest', id: 'u:h' }])).toBe(true);
    expect(permitted(acl, Perms.write, [{ scheme: 'super', id: '' }])).toBe(true);
    expect(permitted(aclView([]), Perms.admin, [])).toBe(true);
  });

  it('expands auth ACLs to digest identities, deduplicates, and refuses what no provider accepts', () => {
    const auth = [
      { scheme: 'ip', id: '127.0.0.1' },
      { scheme: 'digest', id: 'u:h' },
    ];
    expect(fixupACL('/p', [world(31), world(31), { perms: 3, id: { scheme: 'auth', id: '' } }], auth)).toEqual([
      world(31),
      { perms: 3, id: { scheme: 'digest', id: 'u:h' } },
    ]);
    const invalid = (acl: { perms: number; id: { scheme: string; id: string } }[], ids = auth) => {
      try {
        fixupACL('/p', acl, ids);
        return 0;
      } catch (e) {
        return (e as { code: number }).code;
      }
    };
    expect(invalid([])).toBe(ErrorCode.invalidACL);
    expect(invalid([{ perms: 1, id: { scheme: 'auth', id: '' } }], [{ scheme: 'ip', id: '1.1.1.1' }])).toBe(ErrorCode.invalidACL);
    expect(invalid([{ perms: 1, id: { scheme: 'digest', id: 'a:b:c' } }])).toBe(ErrorCode.invalidACL);
    expect(invalid([{ perms: 1, id: { scheme: 'digest', id: 'a:' } }])).toBe(ErrorCode.invalidACL);
    expect(invalid([{ perms: 1, id: { scheme: 'ip', id: '1.2.3.4/33' } }])).toBe(ErrorCode.invalidACL);
    expect(invalid([{ perms: 1, id: { scheme: 'x509', id: 'cn' } }])).toBe(ErrorCode.invalidACL);
    expect(invalid([{ perms: 1, id: { scheme: 'x509', id: 'CN=a\\,b,OU=x+UID=1,2.5.4.3=y' } }])).toBe(0);
    expect(invalid([{ perms: 1, id: { scheme: 'digest', id: ':h' } }])).toBe(0);
    expect(invalid([{ perms: 1, id: { scheme: 'sasl', id: '' } }])).toBe(ErrorCode.invalidACL);
    expect(invalid([{ perms: 1, id: { scheme: 'sasl', id: 'jaasuser' } }])).toBe(0);
  });

  it('sasl: a SASL login is an authenticated identity, matched by user name, that auth ACLs expand to', () => {
    const ids = [
      { scheme: 'ip', id: '127.0.0.1' },
      { scheme: 'sasl', id: 'alice' },
    ];
    const acl = aclView([{ perms: Perms.read, id: { scheme: 'sasl', id: 'alice' } }]);
    expect(permitted(acl, Perms.read, ids)).toBe(true);
    expect(permitted(acl, Perms.read, [{ scheme: 'sasl', id: 'bob' }])).toBe(false);
    expect(permitted(acl, Perms.read, [{ scheme: 'digest', id: 'alice' }])).toBe(false);
    expect(fixupACL('/p', [{ perms: 31, id: { scheme: 'auth', id: '' } }], ids)).toEqual([{ perms: 31, id: { scheme: 'sasl', id: 'alice' } }]);
  });
});
