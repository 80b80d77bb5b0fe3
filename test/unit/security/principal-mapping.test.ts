import { describe, expect, test } from 'vitest';
import { PrincipalMapper, PrincipalMappingError } from '../../../src/security/principal-mapping.js';

// Cases follow the behaviour of Kafka's SslPrincipalMapper as documented for ssl.principal.mapping.rules.
describe('ssl.principal.mapping.rules', () => {
  test('DEFAULT keeps the whole distinguished name', () => {
    expect(PrincipalMapper.parse('DEFAULT').nameOf('CN=alice,OU=Eng,O=Skein\\, Inc.,C=US')).toBe('CN=alice,OU=Eng,O=Skein\\, Inc.,C=US');
  });

  test('a rule applies only when its pattern matches the whole name; the first that applies wins', () => {
    const m = PrincipalMapper.parse('RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/, RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L,DEFAULT');
    expect(m.nameOf('CN=kafka1,OU=ServiceUsers,O=Org,C=US')).toBe('kafka1');
    expect(m.nameOf('CN=Duke,OU=JavaSoft,O=Sun Microsystems,L=Palo Alto,ST=CA,C=US')).toBe('duke@javasoft');
    expect(m.nameOf('CN=other,O=Org')).toBe('CN=other,O=Org');
  });

  test('/U upper-cases, commas may sit inside a pattern, and a case-insensitive Java flag carries over', () => {
    expect(PrincipalMapper.parse('RULE:^cn=(.*?),ou=(.*?),dc=(.*?),dc=(.*?)$/$1@$2/U').nameOf('cn=kafka1,ou=ServiceUsers,dc=example,dc=com')).toBe('KAFKA1@SERVICEUSERS');
    expect(PrincipalMapper.parse('RULE:^CN=([^,]*),.*$/user-$1/').nameOf('CN=bob,O=x')).toBe('user-bob');
    expect(PrincipalMapper.parse('RULE:(?i)^cn=([a-z]*).*$/$1/L').nameOf('CN=Carol,O=x')).toBe('carol');
  });

  test('escapes: \\/ in a pattern, \\$ in a replacement; a group number past the groups loses digits or stays literal', () => {
    expect(PrincipalMapper.parse('RULE:^CN=(.*?)\\/x,.*$/\\$$1/').nameOf('CN=a/x,O=o')).toBe('$a');
    expect(PrincipalMapper.parse('RULE:^CN=(.*?),.*$/$12/').nameOf('CN=a,O=o')).toBe('a2');
    expect(PrincipalMapper.parse('RULE:^CN=.*$/$1/').nameOf('CN=a')).toBe('$1');
  });

  test('no matching rule refuses the name', () => {
    expect(() => PrincipalMapper.parse('RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/').nameOf('CN=a,OU=Other')).toThrow(PrincipalMappingError);
  });

  test('malformed rules are refused naming the rule', () => {
    for (const bad of ['RULE:^CN=(.*?),OU=ServiceUsers.*$/$1', 'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/LU', 'DEFAULTS', 'RULE:(/$1/', 'RULE:^CN=(.*)$/$/']) {
      expect(() => PrincipalMapper.parse(bad), bad).toThrow(PrincipalMappingError);
    }
    expect(() => PrincipalMapper.parse('DEFAULT, DEFAULT')).not.toThrow();
  });
});
