import { apiVersionRange, type ApiKey, type ApiVersionRange } from '../../protocol/kafka/index.js';
import type { Handler, HandlerResult, RequestContext } from './handler.js';
import type { BrokerServices } from './services.js';

/** A handler bound to the services it declared: what a connection calls for one API key. */
export interface ServedApi {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(request: unknown, ctx: RequestContext): HandlerResult<ApiKey> | Promise<HandlerResult<ApiKey>>;
}

/** Just the services a handler declared: one it forgot is missing at run time too, not only in its type. */
function servicesFor(handler: Handler, services: BrokerServices): BrokerServices {
  return Object.fromEntries(handler.uses.map((name) => [name, services[name]])) as unknown as BrokerServices;
}

/** The handlers a broker serves, by API key; the same list answers ApiVersions. */
export class HandlerRegistry {
  private readonly byKey = new Map<number, ServedApi>();

  constructor(handlers: readonly Handler[], services: BrokerServices) {
    for (const h of handlers) {
      if (this.byKey.has(h.apiKey)) throw new Error(`two handlers for API key ${h.apiKey}`);
      const codec = apiVersionRange(h.apiKey);
      if (h.minVersion < codec.min || h.maxVersion > codec.max || h.minVersion > h.maxVersion) {
        throw new Error(`handler for API key ${h.apiKey} serves ${h.minVersion}-${h.maxVersion}, codec has ${codec.min}-${codec.max}`);
      }
      const own = servicesFor(h, services);
      this.byKey.set(h.apiKey, {
        apiKey: h.apiKey,
        minVersion: h.minVersion,
        maxVersion: h.maxVersion,
        handle: (request, ctx) => h.handle(request as never, ctx, own),
      });
    }
  }

  get(apiKey: number): ServedApi | undefined {
    return this.byKey.get(apiKey);
  }

  /** What ApiVersions reports, in API key order. */
  supported(): ApiVersionRange[] {
    return [...this.byKey.values()]
      .sort((a, b) => a.apiKey - b.apiKey)
      .map((h) => ({ apiKey: h.apiKey as ApiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }));
  }
}
