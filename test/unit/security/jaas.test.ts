import { describe, expect, it } from 'vitest';
import { JaasError, parseJaasFile, parseLoginModuleEntry, usersOf } from '../../../src/security/jaas.js';

const DIGEST = 'org.apache.zookeeper.server.auth.DigestLoginModule';

describe('parseJaasFile', () => {
  it("reads ZooKeeper's Server section with comments, quoting and several modules", () => {
    const text = `
// the server's users
Server {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    user_super="super_secret"
    user_jaasuser="jaas_password"  # inline comment
    user_quote="a\\"b;c";
};
/* a client section
   spanning lines */
Client { org.apache.zookeeper.server.auth.DigestLoginModule Optional username=bob password='pw'; other.Module sufficient; };`;
    const sections = parseJaasFile(text);
    expect(sections.map((s) => s.name)).toEqual(['Server', 'Client']);
    expect(sections[1]!.modules.map((m) => [m.className, m.flag])).toEqual([
      [DIGEST, 'optional'],
      ['other.Module', 'sufficient'],
    ]);
    expect(Object.fromEntries(usersOf(sections[0]!.modules, DIGEST))).toEqual({ super: 'super_secret', jaasuser: 'jaas_password', quote: 'a"b;c' });
    expect(usersOf(sections[0]!.modules, 'other.Module').size).toBe(0);
  });

  it('reads an empty file as no sections', () => {
    expect(parseJaasFile('')).toEqual([]);
    expect(parseJaasFile('  // nothing\n')).toEqual([]);
  });

  it.each([
    ['a missing flag', `Server { ${DIGEST} user_a="s3cret"; };`, /line 1: expected a control flag/],
    ['an unknown flag', `Server { ${DIGEST} always user_a="s3cret"; };`, /control flag/],
    ['a missing =', `Server { ${DIGEST} required user_a "s3cret"; };`, /expected "="/],
    ['a missing ;', `Server { ${DIGEST} required user_a="s3cret" };`, /expected an option name or ";"/],
    ['an unclosed quote', `Server { ${DIGEST} required user_a="s3cret; };`, /quoted value not closed/],
    ['an unclosed section', `Server { ${DIGEST} required user_a="s3cret";`, /unexpected end of file/],
    ['an unclosed comment', `/* Server {`, /comment not closed/],
  ])('refuses %s without echoing a value', (_what, text, message) => {
    let err: unknown;
    try {
      parseJaasFile(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JaasError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('s3cret');
  });
});

describe('parseLoginModuleEntry (sasl.jaas.config)', () => {
  it('module, flag and options, quoted and not, with escapes and comments', () => {
    const entry = parseLoginModuleEntry(
      `org.apache.kafka.common.security.plain.PlainLoginModule required /* broker's own login */
         username="admin" password='a;b "c"' // the users:
         user_admin="x\\"y\\\\z" user_bob=plain-word_1.2;`,
    );
    expect(entry.className).toBe('org.apache.kafka.common.security.plain.PlainLoginModule');
    expect(entry.flag).toBe('required');
    expect(Object.fromEntries(entry.options)).toEqual({ username: 'admin', password: 'a;b "c"', user_admin: 'x"y\\z', user_bob: 'plain-word_1.2' });
  });

  it('errors name what is wrong, never a value', () => {
    const cases = [
      ['', /login module class name/],
      ['Mod', /control flag/],
      ['Mod sometimes a=1;', /control flag/],
      ['Mod required a="secret-value', /quoted value not closed/],
      ['Mod required a="secret-value"', /unexpected end of file: expected an option or ";"/],
      ['Mod required a;', /expected "="/],
      ['Mod required a=1; Other required b=2;', /exactly one login module/],
      ['Mod required /* never closed', /comment not closed/],
    ] as const;
    for (const [text, message] of cases) {
      expect(() => parseLoginModuleEntry(text), text).toThrow(JaasError);
      expect(() => parseLoginModuleEntry(text), text).toThrow(message);
    }
    expect(() => parseLoginModuleEntry('Mod required a="secret-value')).not.toThrow(/secret-value/);
  });
});
