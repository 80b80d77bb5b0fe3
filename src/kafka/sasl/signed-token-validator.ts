// Kafka's OIDC token validator (KIP-768: OAuthBearerValidatorCallbackHandler, ValidatorAccessTokenValidator
// over jose4j's JwtConsumer): a compact JWS signed by one of the identity provider's keys, with exp and
// iat present, exp and nbf respected within sasl.oauthbearer.clock.skew.seconds, iss equal to
// sasl.oauthbearer.expected.issuer when set, and aud holding one of sasl.oauthbearer.expected.audience
// when set — when it is not set, a token carrying an aud claim is refused, as jose4j refuses it. The
// principal is the sasl.oauthbearer.sub.claim.name claim; scopes (sasl.oauthbearer.scope.claim.name) are
// checked for shape only, as Kafka does. Reasons name claims and expected values, never the token.
import { signatureValid, JWS_ALGORITHMS, type VerificationKey } from './jws.js';
import { jwsParts, type TokenValidator, type TokenVerdict } from './oauthbearer.js';

export interface SignedTokenOptions {
  /** sasl.oauthbearer.expected.audience; empty: no audience expected (and none accepted). */
  expectedAudience: readonly string[];
  /** sasl.oauthbearer.expected.issuer. */
  expectedIssuer: string | undefined;
  clockSkewSeconds: number;
  scopeClaim: string;
  subClaim: string;
}

/** Where the verification keys come from (jwks-keys.ts). */
export interface KeyResolver {
  keyFor(kid: string | undefined, alg: string): Promise<VerificationKey | undefined>;
}

export class SignedTokenValidator implements TokenValidator {
  constructor(
    private readonly options: SignedTokenOptions,
    private readonly keys: KeyResolver,
    private readonly now: () => number = Date.now,
  ) {}

  async validate(token: string): Promise<TokenVerdict> {
    const invalid = (reason: string): TokenVerdict => ({ status: 'invalid_token', reason: `Could not validate the access token: ${reason}` });
    const jws = jwsParts(token);
    if (!jws) return invalid('not a compact JWS (three base64url parts, JSON header and claims)');
    const { header, claims } = jws;
    const alg = header.alg;
    if (alg === 'none') return invalid('unsigned ("alg": "none") tokens are not accepted');
    if (typeof alg !== 'string' || !JWS_ALGORITHMS.includes(alg)) return invalid(`unsupported JWS algorithm ${JSON.stringify(alg)?.slice(0, 32)}`);
    // jose4j refuses critical header parameters it does not understand, and it understands none here.
    if (header.crit !== undefined) return invalid('"crit" header parameters are not supported');
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const key = await this.keys.keyFor(kid, alg);
    if (!key) return invalid(`no verification key for ${alg}${kid === undefined ? '' : ` with key id ${JSON.stringify(kid.slice(0, 64))}`}`);
    const dot = token.lastIndexOf('.');
    if (!signatureValid(alg, key.key, token.slice(0, dot), Buffer.from(jws.signature, 'base64url'))) return invalid('JWS signature is invalid');
    return this.claimsVerdict(claims);
  }

  /** The claims' checks in jose4j's then Kafka's order. */
  private claimsVerdict(claims: Record<string, unknown>): TokenVerdict {
    const invalid = (reason: string): TokenVerdict => ({ status: 'invalid_token', reason: `Could not validate the access token: ${reason}` });
    const { expectedAudience, expectedIssuer, clockSkewSeconds, scopeClaim, subClaim } = this.options;
    const nowSeconds = Math.floor(this.now() / 1000);
    const { exp, iat, nbf, iss, aud } = claims;
    if (exp === undefined) return invalid('no Expiration Time (exp) claim present');
    if (iat === undefined) return invalid('no Issued At (iat) claim present');
    if (typeof exp !== 'number' || typeof iat !== 'number' || (nbf !== undefined && typeof nbf !== 'number')) return invalid('exp, iat and nbf must be numeric dates');
    if (nowSeconds - clockSkewSeconds >= exp) return invalid(`the JWT is no longer valid: it expired at ${exp} (now ${nowSeconds}, allowed skew ${clockSkewSeconds} s)`);
    if (nbf !== undefined && nowSeconds + clockSkewSeconds < nbf) return invalid(`the JWT is not yet valid: not before ${nbf} (now ${nowSeconds}, allowed skew ${clockSkewSeconds} s)`);
    if (expectedIssuer !== undefined && iss !== expectedIssuer) return invalid(`Issuer (iss) claim ${iss === undefined ? 'missing' : 'value'} doesn't match expected value of ${expectedIssuer}`);
    if (aud !== undefined) {
      const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : undefined;
      if (!audiences || !audiences.every((a) => typeof a === 'string')) return invalid('Audience (aud) claim must be a string or an array of strings');
      if (!audiences.some((a) => expectedAudience.includes(a))) {
        return invalid(
          expectedAudience.length === 0
            ? 'Audience (aud) claim present in the JWT but no expected audience (sasl.oauthbearer.expected.audience) is set'
            : `Audience (aud) claim doesn't contain an acceptable identifier; expected one of ${expectedAudience.join(', ')}`,
        );
      }
    } else if (expectedAudience.length > 0) {
      return invalid('no Audience (aud) claim present');
    }
    if (exp < 0 || iat < 0) return invalid('exp and iat must be non-negative');
    const scope = claims[scopeClaim];
    const scopes = typeof scope === 'string' ? [scope] : Array.isArray(scope) ? scope : [];
    const trimmed = scopes.map((s) => (typeof s === 'string' ? s.trim() : ''));
    if (trimmed.some((s) => s === '')) return invalid(`${scopeClaim} values must be non-empty strings`);
    if (new Set(trimmed).size !== trimmed.length) return invalid(`${scopeClaim} value must not contain duplicates`);
    const sub = claims[subClaim];
    if (typeof sub !== 'string' || sub.trim() === '') return invalid(`${subClaim} claim must be a non-empty string`);
    return { user: sub.trim() };
  }
}
