// The authorizer's server.properties keys, as Kafka names them. authorizer.class.name naming either of
// Kafka's own ACL authorizers turns Skein's on (the two keep ACLs differently in Kafka, in ZooKeeper and
// in the KRaft metadata log, but decide alike); empty, Kafka's default, checks nothing.
import { bool, ConfigError, str } from '../../config/schema.js';
import type { AuthorizerSettings } from './authorizer.js';

export const ACL_AUTHORIZER_CLASSES: readonly string[] = ['kafka.security.authorizer.AclAuthorizer', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'];

export const aclSchema = {
  'authorizer.class.name': str(`Empty: no authorization. ${ACL_AUTHORIZER_CLASSES.join(' or ')}: ACLs, kept in ZooKeeper.`, ''),
  'super.users': str('Principals every ACL check allows, separated by semicolons (User:admin;User:broker).', ''),
  'allow.everyone.if.no.acl.found': bool('With an authorizer, allow an operation on a resource no ACL names.', false),
};

interface AclValues {
  'authorizer.class.name': string;
  'super.users': string;
  'allow.everyone.if.no.acl.found': boolean;
  'zookeeper.connect': string | undefined;
}

/** The authorizer's settings; undefined when authorizer.class.name is empty. Throws ConfigError. */
export function authorizerSettingsOf(values: AclValues): AuthorizerSettings | undefined {
  const className = values['authorizer.class.name'].trim();
  if (className === '') return undefined;
  if (!ACL_AUTHORIZER_CLASSES.includes(className)) throw new ConfigError(`authorizer.class.name: ${className} is not served; use ${ACL_AUTHORIZER_CLASSES.join(' or ')}`);
  if (values['zookeeper.connect'] === undefined) throw new ConfigError('authorizer.class.name needs zookeeper.connect: ACLs are kept in ZooKeeper (skein start runs one)');
  return { superUsers: superUsersOf(values['super.users']), allowIfNoAcl: values['allow.everyone.if.no.acl.found'] };
}

/** super.users: principals separated by semicolons. Throws ConfigError. */
export function superUsersOf(value: string): Set<string> {
  const superUsers = value
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const p of superUsers) if (!/^[^:]+:.+$/.test(p)) throw new ConfigError(`super.users: "${p}" is not a principal (Type:name)`);
  return new Set(superUsers);
}
