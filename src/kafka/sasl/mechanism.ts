// What a SASL mechanism is to the broker: per connection, an exchange that turns each client token into
// a challenge until it names the authenticated user or refuses. Refusals carry a message meant for the
// client, so it must never hold a password, token or proof.

/**
 * One step of an exchange: a challenge to send, and the user once the client is authenticated. A last
 * challenge of null is "nothing to say" (GSSAPI's): SaslAuthenticate carries it as empty bytes, while a
 * raw-token (v0) client gets no frame at all, as Kafka sends none.
 */
export type SaslStep = { done: false; challenge: Buffer } | { done: true; challenge: Buffer | null; user: string };

/**
 * A refused authentication; `message` goes to the client (SaslAuthenticate's error message) and the log,
 * `detail` (why, when the message is a fixed status such as OAUTHBEARER's JSON) to the log only.
 */
export class SaslAuthenticationError extends Error {
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

export interface SaslExchange {
  respond(token: Buffer): SaslStep | Promise<SaslStep>;
}

export interface SaslMechanism {
  /** Kafka's name: PLAIN, SCRAM-SHA-256, ... */
  readonly name: string;
  start(): SaslExchange;
}
