// SASL/OAUTHBEARER (RFC 7628) as Kafka's server side (OAuthBearerSaslServer) runs it: the client's
// "n,[a=authzid],\x01auth=Bearer <token>\x01...\x01" and a validator for the token, either Kafka's default
// one for unsecured JWS tokens (below) or its OIDC one for signed tokens (signed-token-validator.ts). A
// refused token is answered with Kafka's JSON error challenge; the client's "\x01" then ends the exchange
// with that JSON as the failure message. Tokens are never logged or echoed; the log gets the reason.
import { JaasError, type LoginModule } from '../../security/jaas.js';
import { SaslAuthenticationError, type SaslExchange, type SaslMechanism, type SaslStep } from './mechanism.js';

export const OAUTHBEARER_LOGIN_MODULE = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule';

/** A token longer than this is refused unread (real access tokens are a few KiB). */
export const OAUTH_TOKEN_CHARS_MAX = 65_536;

/** A validator's answer: the principal, or Kafka's error status and the reason for the log (no token content). */
export type TokenVerdict = { user: string } | { status: 'invalid_token' | 'insufficient_scope'; scope?: string; reason: string };

export interface TokenValidator {
  validate(token: string): TokenVerdict | Promise<TokenVerdict>;
}

/** The three dot-separated parts of a compact JWS, decoded; undefined when the token is not one. */
export function jwsParts(token: string): { header: Record<string, unknown>; claims: Record<string, unknown>; signature: string } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    if (!isObject(header) || !isObject(claims)) return undefined;
    return { header, claims, signature: parts[2]! };
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

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

/** Kafka's default (OAuthBearerUnsecuredValidatorCallbackHandler): alg "none", a principal claim, exp, required scopes. */
export class UnsecuredTokenValidator implements TokenValidator {
  constructor(
    private readonly options: UnsecuredValidatorOptions,
    private readonly now: () => number = Date.now,
  ) {}

  validate(token: string): TokenVerdict {
    const invalid = (reason: string): TokenVerdict => ({ status: 'invalid_token', reason });
    const jws = jwsParts(token);
    if (!jws || jws.signature !== '') return invalid('not an unsecured JWS');
    if (jws.header.alg !== 'none') return invalid('alg is not "none" (signed tokens need OAuthBearerValidatorCallbackHandler)');
    const principal = jws.claims[this.options.principalClaim];
    const exp = jws.claims.exp;
    if (typeof principal !== 'string' || principal === '') return invalid(`no ${this.options.principalClaim} claim`);
    if (typeof exp !== 'number') return invalid('no exp claim');
    if (this.now() > exp * 1000 + this.options.allowableClockSkewMs) return invalid('expired');
    const scopeClaim = jws.claims[this.options.scopeClaim];
    const scopes = Array.isArray(scopeClaim) ? scopeClaim.filter((s) => typeof s === 'string') : typeof scopeClaim === 'string' ? scopeClaim.split(' ') : [];
    const missing = this.options.requiredScope.filter((s) => !scopes.includes(s));
    if (missing.length > 0) return { status: 'insufficient_scope', scope: this.options.requiredScope.join(' '), reason: `missing scopes ${missing.join(' ')}` };
    return { user: principal };
  }
}

const INITIAL_RESPONSE = /^n,(?:a=([^,]*))?,\x01((?:[A-Za-z]+=[\x21-\x7e \t\r\n]*\x01)*)\x01$/s;

export class OAuthBearerMechanism implements SaslMechanism {
  readonly name = 'OAUTHBEARER';

  constructor(private readonly validator: TokenValidator) {}

  start(): SaslExchange {
    let pending: { error: string; reason: string } | undefined;
    return {
      respond: async (token: Buffer): Promise<SaslStep> => {
        if (pending !== undefined) {
          // The client's acknowledgement of the error challenge: the exchange fails with it.
          const { error, reason } = pending;
          pending = undefined;
          if (token.length === 1 && token[0] === 1) throw new SaslAuthenticationError(error, reason);
          throw new SaslAuthenticationError('Authentication failed: unexpected response after an error challenge');
        }
        const bearer = this.bearerOf(token);
        const verdict = await this.validator.validate(bearer.token);
        if (!('user' in verdict)) {
          pending = { error: JSON.stringify(verdict.scope === undefined ? { status: verdict.status } : { status: verdict.status, scope: verdict.scope }), reason: verdict.reason };
          return { done: false, challenge: Buffer.from(pending.error, 'utf8') };
        }
        if (bearer.authzid !== undefined && bearer.authzid !== '' && bearer.authzid !== verdict.user) {
          throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from the token\'s principal name');
        }
        return { done: true, challenge: Buffer.alloc(0), user: verdict.user };
      },
    };
  }

  /** The token and authorization id of the client's initial response; a malformed one is refused at once. */
  private bearerOf(response: Buffer): { token: string; authzid: string | undefined } {
    const malformed = () => new SaslAuthenticationError('Authentication failed: invalid OAUTHBEARER client response');
    const m = INITIAL_RESPONSE.exec(response.toString('utf8'));
    if (!m) throw malformed();
    const fields = new Map(m[2]!.split('\x01').filter((kv) => kv !== '').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    const auth = /^Bearer +([\x21-\x7e]+) *$/i.exec(fields.get('auth') ?? '');
    if (!auth) throw malformed();
    if (auth[1]!.length > OAUTH_TOKEN_CHARS_MAX) throw new SaslAuthenticationError(`Authentication failed: OAUTHBEARER token longer than ${OAUTH_TOKEN_CHARS_MAX} characters`);
    return { token: auth[1]!, authzid: m[1] };
  }
}
