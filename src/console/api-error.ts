// The console API's refusals: each carries the HTTP status it is answered with, so a handler throws
// and the router answers; anything else thrown is a 500 (or a 502 when the cluster could not be asked).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** 400: a parameter is missing or malformed. */
export const badRequest = (message: string): ApiError => new ApiError(400, message);
/** 404: what the path names does not exist. */
export const notFound = (message: string): ApiError => new ApiError(404, message);
/** 403: the console is read-only (see permission.ts). */
export const forbidden = (message: string): ApiError => new ApiError(403, message);
