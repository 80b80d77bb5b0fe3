import { describe, expect, test } from 'vitest';
import { JaasConfigError, parseJaasConfig } from '../../../../src/kafka/sasl/jaas.js';

describe('parseJaasConfig', () => {
  test('module, flag and options, quoted and not, with escapes and comments', () => {
    const entry = parseJaasConfig(
      `org.apache.kafka.common.security.plain.PlainLoginModule required /* broker's own login */
         username="admin" password='a;b "c"' // the users:
         user_admin="x\\"y\\\\z" user_bob=plain-word_1.2;`,
    );
    expect(entry.loginModule).toBe('org.apache.kafka.common.security.plain.PlainLoginModule');
    expect(entry.flag).toBe('required');
    expect(Object.fromEntries(entry.options)).toEqual({ username: 'admin', password: 'a;b "c"', user_admin: 'x"y\\z', user_bob: 'plain-word_1.2' });
  });

  test('errors name what is wrong, never a value', () => {
    const cases = [
      ['', /login module class name/],
      ['Mod', /control flag/],
      ['Mod sometimes a=1;', /control flag/],
      ['Mod required a="secret-value', /unterminated quoted value/],
      ['Mod required a="secret-value"', /must end with ";"/],
      ['Mod required a;', /needs "=" and a value/],
      ['Mod required a=;', /has no value/],
      ['Mod required a=1; Other required b=2;', /exactly one login module/],
      ['Mod required /* never closed', /unterminated \/\* comment/],
    ] as const;
    for (const [text, message] of cases) {
      expect(() => parseJaasConfig(text), text).toThrow(JaasConfigError);
      expect(() => parseJaasConfig(text), text).toThrow(message);
    }
    expect(() => parseJaasConfig('Mod required a="secret-value')).not.toThrow(/secret-value/);
  });
});
