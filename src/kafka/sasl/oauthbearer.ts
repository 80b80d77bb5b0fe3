// SASL/OAUTHBEARER (RFC 7628) with unsecured JWS tokens, as Kafka's default server side
// (OAuthBearerSaslServer with OAuthBearerUnsecuredValidatorCallbackHandler) accepts them: the client's
// "n,[a=authzid],\x01auth=Bearer <token>\x01...\x01", the token "<base64url header>.<base64url claims>."
// with alg "none", the principal claim (sub), exp in seconds (with the allowed clock skew), and the
// required scopes. A refused token is answered with Kafka's JSON error challenge; the client's "\x01"
// then ends the exchange with that JSON as the failure message. Tokens are never logged or echoed.
import { JaasError, type LoginModule } from '../../security/jaas.js';
import { SaslAuthenticationError, type SaslExchange, type SaslMechanism, type SaslStep } from './mechanism.js';

export const OAUTHBEARER_LOGIN_MODULE = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule';

export interface UnsecuredValidatorOptions {
  principalClaim: string;
  scopeClaim: string;
  requiredScope: string[];
  allowableClockSkewMs: number;
}

export const DEFAULT_UNSECURED_OPTIONS: UnsecuredValidatorOptions = { principalClaim: 'sub', scopeClaim: 'scope', requiredScope: [], allowableClockSkewMs: 0 };

/** Kafka's unsecuredValidator* options of an OAuthBearerLoginModule entry. */
export function unsecuredOptionsOf(entry: LoginModule): UnsecuredValidatorOptions {
  if (entry.className !== OAUTHBEARER_LOGIN_MODULE) throw new JaasError(`OAUTHBEARER needs ${OAUTHBEARER_LOGIN_MODULE}, not ${entry.className}`);
  const o = entry.options;
  const skew = Number(o.get('unsecuredValidatorAllowableClockSkewMs') ?? '0');
  if (!Number.isInteger(skew) || skew < 0) throw new JaasError('unsecuredValidatorAllowableClockSkewMs must be a non-negative integer');
  return {
    principalClaim: o.get('unsecuredValidatorPrincipalClaimName') ?? 'sub',
    scopeClaim: o.get('unsecuredValidatorScopeClaimName') ?? 'scope',
    requiredScope: (o.get('unsecuredValidatorRequiredScope') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
    allowableClockSkewMs: skew,
  };
}

const INITIAL_RESPONSE = /^n,(?:a=([^,]*))?,\x01((?:[A-Za-z]+=[\x21-\x7e \t\r\n]*\x01)*)\x01$/s;

export class OAuthBearerMechanism implements SaslMechanism {
  readonly name = 'OAUTHBEARER';

  constructor(
    private readonly options: UnsecuredValidatorOptions,
    private readonly now: () => number = Date.now,
  ) {}

  start(): SaslExchange {
    let pendingError: string | undefined;
    return {
      respond: (token: Buffer): SaslStep => {
        if (pendingError !== undefined) {
          // The client's acknowledgement of the error challenge: the exchange fails with it.
          const error = pendingError;
          pendingError = undefined;
          throw new SaslAuthenticationError(token.length === 1 && token[0] === 1 ? error : 'Authentication failed: unexpected response after an error challenge');
        }
        const result = this.validate(token.toString('utf8'));
        if (typeof result === 'string') {
          pendingError = result;
          return { done: false, challenge: Buffer.from(result, 'utf8') };
        }
        return { done: true, challenge: Buffer.alloc(0), user: result.user };
      },
    };
  }

  /** The principal, or Kafka's JSON error for the challenge. */
  private validate(text: string): { user: string } | string {
    const invalid = JSON.stringify({ status: 'invalid_token' });
    const m = INITIAL_RESPONSE.exec(text);
    if (!m) throw new SaslAuthenticationError('Authentication failed: invalid OAUTHBEARER client response');
    const fields = new Map(m[2]!.split('\x01').filter((kv) => kv !== '').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    const auth = /^Bearer +([\x21-\x7e]+) *$/i.exec(fields.get('auth') ?? '');
    if (!auth) throw new SaslAuthenticationError('Authentication failed: invalid OAUTHBEARER client response');
    const parts = auth[1]!.split('.');
    if (parts.length !== 3 || parts[2] !== '') return invalid;
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return invalid;
    }
    if (typeof header !== 'object' || header === null || header.alg !== 'none' || typeof claims !== 'object' || claims === null) return invalid;
    const principal = claims[this.options.principalClaim];
    const exp = claims.exp;
    if (typeof principal !== 'string' || principal === '' || typeof exp !== 'number') return invalid;
    if (this.now() > exp * 1000 + this.options.allowableClockSkewMs) return invalid;
    const scopeClaim = claims[this.options.scopeClaim];
    const scopes = Array.isArray(scopeClaim) ? scopeClaim.filter((s) => typeof s === 'string') : typeof scopeClaim === 'string' ? scopeClaim.split(' ') : [];
    const missing = this.options.requiredScope.filter((s) => !scopes.includes(s));
    if (missing.length > 0) return JSON.stringify({ status: 'insufficient_scope', scope: this.options.requiredScope.join(' ') });
    if (m[1] !== undefined && m[1] !== '' && m[1] !== principal) {
      throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from the token\'s principal name');
    }
    return { user: principal };
  }
}
