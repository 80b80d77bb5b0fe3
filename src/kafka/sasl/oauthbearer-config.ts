// Which validator a listener's OAUTHBEARER uses, with Kafka's setting names. Without
// listener.name.<l>.oauthbearer.sasl.server.callback.handler.class it is Kafka's default, the unsecured
// one (options in the OAuthBearerLoginModule entry); naming OAuthBearerValidatorCallbackHandler (Kafka 3.1+,
// KIP-768, under either of its package names) selects the OIDC one, configured by the broker's
// sasl.oauthbearer.* settings, with the JAAS entry's ssl.truststore.* options trusting an https JWKS endpoint
// as Kafka's JaasOptionsUtils does.
import type { ConnectionOptions } from 'node:tls';
import type { PropertyLine } from '../../config/properties.js';
import { ConfigError, int, list, long, parseConfig, str, type ConfigValues } from '../../config/schema.js';
import { JaasError, parseLoginModuleEntry, type LoginModule } from '../../security/jaas.js';
import { storeTypeFromName, TlsConfigError, trustOptions, type StoreType } from '../../security/tls-material.js';
import { JwksKeys } from './jwks-keys.js';
import { DEFAULT_UNSECURED_OPTIONS, OAuthBearerMechanism, UnsecuredTokenValidator, unsecuredOptionsOf } from './oauthbearer.js';
import { SignedTokenValidator } from './signed-token-validator.js';

export const oauthBearerSchema = {
  'sasl.oauthbearer.jwks.endpoint.url': str('Where the OIDC validator (OAuthBearerValidatorCallbackHandler) reads the identity provider\'s verification keys: an https:// or http:// JWKS endpoint, or a file: URL.', undefined),
  'sasl.oauthbearer.jwks.endpoint.refresh.ms': long('How often the keys are read again from an http(s) JWKS endpoint.', 3_600_000, { min: 1 }),
  'sasl.oauthbearer.jwks.endpoint.retry.backoff.ms': long('First wait between attempts of a failed JWKS read; it doubles per attempt.', 100, { min: 0 }),
  'sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms': long('How long a JWKS read keeps retrying before the previous keys are kept.', 10_000, { min: 0 }),
  'sasl.oauthbearer.expected.audience': list('Audiences one of which a token\'s aud claim must hold; empty: tokens with an aud claim are refused.', []),
  'sasl.oauthbearer.expected.issuer': str('The iss claim a token must carry; unset: not checked.', undefined),
  'sasl.oauthbearer.clock.skew.seconds': int('Clock difference allowed between the identity provider and the broker when checking exp and nbf.', 30, { min: 0 }),
  'sasl.oauthbearer.scope.claim.name': str('The claim holding a token\'s scopes.', 'scope'),
  'sasl.oauthbearer.sub.claim.name': str('The claim holding a token\'s subject, which becomes the principal User:<subject>.', 'sub'),
};

/** The broker-wide sasl.oauthbearer.* values. */
export interface OAuthBearerSettings {
  jwksUrl: string | undefined;
  refreshMs: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  expectedAudience: string[];
  expectedIssuer: string | undefined;
  clockSkewSeconds: number;
  scopeClaim: string;
  subClaim: string;
}

export type OAuthBearerValues = ConfigValues<typeof oauthBearerSchema>;

/**
 * The sasl.oauthbearer.* values a listener's validator uses: the broker's, overridden by the listener's
 * own listener.name.<l>.sasl.oauthbearer.* and then listener.name.<l>.oauthbearer.sasl.oauthbearer.* (the
 * order Kafka's ConfigurationUtils looks them up in; `own` holds them without the listener prefix).
 */
export function listenerOAuthBearerSettings(global: OAuthBearerValues, own: readonly PropertyLine[], prefix: string): OAuthBearerSettings {
  const plain = own.filter((e) => e.key.startsWith('sasl.oauthbearer.'));
  const byMechanism = own.filter((e) => e.key.startsWith('oauthbearer.sasl.oauthbearer.')).map((e) => ({ ...e, key: e.key.slice('oauthbearer.'.length) }));
  const overrides = [...plain, ...byMechanism];
  const { values: parsed, unknown } = parseConfig(oauthBearerSchema, overrides);
  if (unknown.length > 0) throw new ConfigError(`${prefix}${unknown[0]!.key}: not a sasl.oauthbearer.* setting`);
  const values: OAuthBearerValues = { ...global };
  for (const { key } of overrides) Object.assign(values, { [key]: parsed[key as keyof OAuthBearerValues] });
  return {
    jwksUrl: values['sasl.oauthbearer.jwks.endpoint.url'],
    refreshMs: values['sasl.oauthbearer.jwks.endpoint.refresh.ms'],
    retryBackoffMs: values['sasl.oauthbearer.jwks.endpoint.retry.backoff.ms'],
    retryBackoffMaxMs: values['sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms'],
    expectedAudience: values['sasl.oauthbearer.expected.audience'],
    expectedIssuer: values['sasl.oauthbearer.expected.issuer'],
    clockSkewSeconds: values['sasl.oauthbearer.clock.skew.seconds'],
    scopeClaim: values['sasl.oauthbearer.scope.claim.name'],
    subClaim: values['sasl.oauthbearer.sub.claim.name'],
  };
}

const VALIDATOR_HANDLERS = new Set([
  'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
  'org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerValidatorCallbackHandler',
]);
const UNSECURED_HANDLER = 'org.apache.kafka.common.security.oauthbearer.internals.unsecured.OAuthBearerUnsecuredValidatorCallbackHandler';

/** A listener's OAUTHBEARER mechanism, and the key set to open before it serves (signed tokens only). */
export interface ListenerOAuthBearer {
  mechanism: OAuthBearerMechanism;
  jwks: JwksKeys | undefined;
}

/**
 * The OAUTHBEARER of a listener from its login module entry (`jaas`, its setting's name `jaasKey`) and
 * callback handler class (`handler`, from `handlerKey`). Errors name settings, never values.
 */
export function listenerOAuthBearerOf(
  settings: OAuthBearerSettings,
  jaas: { text: string | undefined; key: string },
  handler: { className: string | undefined; key: string },
): ListenerOAuthBearer {
  let entry: LoginModule | undefined;
  try {
    entry = jaas.text === undefined ? undefined : parseLoginModuleEntry(jaas.text);
    if (handler.className === undefined || handler.className === UNSECURED_HANDLER) {
      return { mechanism: new OAuthBearerMechanism(new UnsecuredTokenValidator(entry ? unsecuredOptionsOf(entry) : DEFAULT_UNSECURED_OPTIONS)), jwks: undefined };
    }
  } catch (err) {
    if (err instanceof JaasError) throw new ConfigError(`${jaas.key}: ${err.message}`);
    throw err;
  }
  if (!VALIDATOR_HANDLERS.has(handler.className)) {
    throw new ConfigError(`${handler.key}: ${handler.className} is not served; Skein runs Kafka's own OAuthBearerValidatorCallbackHandler (signed tokens) or the unsecured default`);
  }
  if (settings.jwksUrl === undefined) throw new ConfigError(`sasl.oauthbearer.jwks.endpoint.url: ${handler.key} names the OIDC validator, which needs the identity provider's keys`);
  let url: URL;
  try {
    url = new URL(settings.jwksUrl);
  } catch {
    throw new ConfigError('sasl.oauthbearer.jwks.endpoint.url: not a URL');
  }
  if (!['file:', 'http:', 'https:'].includes(url.protocol)) throw new ConfigError(`sasl.oauthbearer.jwks.endpoint.url: ${url.protocol} URLs are not read (https:, http: or file:)`);
  const jwks = new JwksKeys({
    url,
    refreshMs: settings.refreshMs,
    retryBackoffMs: settings.retryBackoffMs,
    retryBackoffMaxMs: settings.retryBackoffMaxMs,
    trust: url.protocol === 'https:' && entry ? endpointTrustOf(entry, jaas.key) : undefined,
  });
  const validator = new SignedTokenValidator(
    {
      expectedAudience: settings.expectedAudience,
      expectedIssuer: settings.expectedIssuer,
      clockSkewSeconds: settings.clockSkewSeconds,
      scopeClaim: settings.scopeClaim,
      subClaim: settings.subClaim,
    },
    jwks,
  );
  return { mechanism: new OAuthBearerMechanism(validator), jwks };
}

/** The JAAS entry's ssl.truststore.* and ssl.endpoint.identification.algorithm, for the JWKS endpoint's certificate. */
function endpointTrustOf(entry: LoginModule, jaasKey: string): ConnectionOptions | undefined {
  const o = entry.options;
  const location = o.get('ssl.truststore.location');
  const certificates = o.get('ssl.truststore.certificates');
  const noHostCheck = o.get('ssl.endpoint.identification.algorithm') === '';
  if (location === undefined && certificates === undefined) return noHostCheck ? { checkServerIdentity: () => undefined } : undefined;
  const type = (o.get('ssl.truststore.type')?.toUpperCase() ?? (location === undefined ? 'PEM' : storeTypeFromName(location))) as StoreType;
  try {
    const trust = trustOptions({ type, location, certificates, password: o.get('ssl.truststore.password') }, `${jaasKey} (ssl.truststore.*)`);
    return noHostCheck ? { ...trust, checkServerIdentity: () => undefined } : trust;
  } catch (err) {
    if (err instanceof TlsConfigError) throw new ConfigError(err.message);
    throw err;
  }
}
