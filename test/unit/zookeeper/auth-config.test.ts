import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/schema.js';
import { parseZooCfg } from '../../../src/zookeeper/config.js';
import type { ConfigFiles } from '../../../src/zookeeper/ensemble-config.js';

const files = (contents: Record<string, string>): ConfigFiles => ({ read: (path) => contents[path] });

const JAAS = `Server {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  user_super="super_secret"
  user_alice="alice_secret";
};
Client { org.apache.zookeeper.server.auth.DigestLoginModule required username="alice" password="alice_secret"; };`;

const SASL_PROVIDER = 'org.apache.zookeeper.server.auth.SASLAuthenticationProvider';

describe('zoo.cfg authentication settings', () => {
  it('has no SASL users and enforces nothing by default', () => {
    const { auth } = parseZooCfg('').config;
    expect(auth).toEqual({ saslUsers: undefined, enforceSchemes: undefined, saslSuperUser: undefined });
  });

  it("reads the JAAS file's Server users, authProvider.N, enforce.auth and superUser under both names", () => {
    const cfg = [
      'java.security.auth.login.config=/etc/zk/jaas.conf',
      `authProvider.1=${SASL_PROVIDER}`,
      'zookeeper.authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider',
      'enforce.auth.enabled=true',
      'zookeeper.enforce.auth.schemes=sasl,digest',
      'zookeeper.superUser=super',
    ].join('\n');
    const { config, unusedKeys, warnings } = parseZooCfg(cfg, [], files({ '/etc/zk/jaas.conf': JAAS }));
    expect(Object.fromEntries(config.auth.saslUsers!)).toEqual({ super: 'super_secret', alice: 'alice_secret' });
    expect([...config.auth.enforceSchemes!].sort()).toEqual(['digest', 'sasl']);
    expect(config.auth.saslSuperUser).toBe('super');
    expect(unusedKeys).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('reads GSSAPI from a Krb5LoginModule entry, refusing one whose keytab cannot be read', () => {
    const krb5 = 'Server {\n com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true keyTab="/nonexistent.keytab" principal="zookeeper/h@R";\n};\n';
    expect(() => parseZooCfg('java.security.auth.login.config=/j\nkerberos.removeRealmFromPrincipal=true', [], files({ '/j': krb5 }))).toThrow(
      /java\.security\.auth\.login\.config: \/j: section Server: keyTab \/nonexistent\.keytab: ENOENT/,
    );
    expect(parseZooCfg('java.security.auth.login.config=/j', [], files({ '/j': JAAS })).config.auth.kerberos).toBeUndefined();
  });

  it('takes another section by sasl.serverconfig, and leaves SASL off when the file has no such section', () => {
    const other = parseZooCfg('java.security.auth.login.config=/j\nzookeeper.sasl.serverconfig=Client', [], files({ '/j': JAAS }));
    expect(other.config.auth.saslUsers?.size).toBe(0);
    expect(other.warnings.join('\n')).toMatch(/section Client has neither .*DigestLoginModule users nor a .*Krb5LoginModule entry/);
    expect(parseZooCfg('java.security.auth.login.config=/j', [], files({ '/j': '' })).config.auth.saslUsers).toBeUndefined();
  });

  it('warns about provider classes it does not have, as ZooKeeper logs those it cannot load', () => {
    const { warnings } = parseZooCfg('authProvider.1=com.example.KerberosProvider');
    expect(warnings.join('\n')).toMatch(/authProvider\.1=com\.example\.KerberosProvider: not a provider Skein has/);
  });

  it('refuses a missing or malformed JAAS file and enforce.auth without usable schemes, naming no password', () => {
    expect(() => parseZooCfg('java.security.auth.login.config=/missing', [], files({}))).toThrow(/\/missing does not exist/);
    const bad = () => parseZooCfg('java.security.auth.login.config=/j', [], files({ '/j': 'Server { x required user_a="s3cret" }' }));
    expect(bad).toThrow(ConfigError);
    expect(bad).not.toThrow(/s3cret/);
    expect(() => parseZooCfg('enforce.auth.enabled=true')).toThrow(/needs enforce.auth.schemes/);
    expect(() => parseZooCfg('enforce.auth.enabled=true\nenforce.auth.schemes=sasl')).toThrow(/scheme sasl is not available/);
    expect(parseZooCfg(`enforce.auth.enabled=true\nenforce.auth.schemes=sasl\nauthProvider.sasl=${SASL_PROVIDER}`).config.auth.enforceSchemes).toEqual(new Set(['sasl']));
    expect(parseZooCfg('enforce.auth.enabled=true\nenforce.auth.schemes=x509,digest,ip').config.auth.enforceSchemes?.size).toBe(3);
  });
});
