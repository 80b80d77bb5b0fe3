// Who a connection's client says it is and where it connects from: what KIP-714's client-metrics
// subscriptions match on. The software name and version come from the client's ApiVersions v3+ request
// (KIP-511); a client that sends none (older versions, or names Kafka refuses) is "unknown", as Kafka
// records it.
import type { ApiVersionsRequest } from '../../protocol/kafka/index.js';

/** Kafka's ClientInformation.UNKNOWN_NAME_OR_VERSION. */
const UNKNOWN_SOFTWARE = 'unknown';

/** Kafka's rule for v3 client software names and versions (KIP-511). */
const SOFTWARE_FIELD = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export interface ClientInformation {
  readonly softwareName: string;
  readonly softwareVersion: string;
  /** The client's IP address, as the socket reports it. */
  readonly address: string;
  readonly port: number;
}

/** Whether an ApiVersions v3+ request names its software as KIP-511 requires (else INVALID_REQUEST). */
export function namesSoftwareValidly(request: Pick<ApiVersionsRequest, 'clientSoftwareName' | 'clientSoftwareVersion'>): boolean {
  return SOFTWARE_FIELD.test(request.clientSoftwareName) && SOFTWARE_FIELD.test(request.clientSoftwareVersion);
}

/** The connection's client as an ApiVersions request at `apiVersion` names it; unchanged when it names nothing valid. */
export function afterApiVersions(client: ClientInformation, request: ApiVersionsRequest, apiVersion: number): ClientInformation {
  if (apiVersion < 3 || !namesSoftwareValidly(request)) return client;
  return { ...client, softwareName: request.clientSoftwareName, softwareVersion: request.clientSoftwareVersion };
}

/** A client before its ApiVersions request, at the given address. */
export function unknownClient(address: string | undefined, port: number | undefined): ClientInformation {
  return { softwareName: UNKNOWN_SOFTWARE, softwareVersion: UNKNOWN_SOFTWARE, address: address ?? '', port: port ?? 0 };
}
