import { apiVersionRange, type ApiKey, type ApiVersionRange } from '../../protocol/kafka/index.js';
import type { Handler } from './handler.js';

/** The handlers a broker serves, by API key; the same list answers ApiVersions. */
export class HandlerRegistry {
  private readonly byKey = new Map<number, Handler>();

  constructor(handlers: readonly Handler[]) {
    for (const h of handlers) {
      if (this.byKey.has(h.apiKey)) throw new Error(`two handlers for API key ${h.apiKey}`);
      const codec = apiVersionRange(h.apiKey);
      if (h.minVersion < codec.min || h.maxVersion > codec.max || h.minVersion > h.maxVersion) {
        throw new Error(`handler for API key ${h.apiKey} serves ${h.minVersion}-${h.maxVersion}, codec has ${codec.min}-${codec.max}`);
      }
      this.byKey.set(h.apiKey, h);
    }
  }

  get(apiKey: number): Handler | undefined {
    return this.byKey.get(apiKey);
  }

  /** What ApiVersions reports, in API key order. */
  supported(): ApiVersionRange[] {
    return [...this.byKey.values()]
      .sort((a, b) => a.apiKey - b.apiKey)
      .map((h) => ({ apiKey: h.apiKey as ApiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }));
  }
}
