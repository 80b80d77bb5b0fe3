// Every API this broker serves. ApiVersions advertises exactly this list.
import type { Handler } from '../handler.js';
import { metadataHandler } from './3-metadata.js';
import { apiVersionsHandler } from './18-api-versions.js';

export const HANDLERS = [metadataHandler, apiVersionsHandler] as readonly Handler[];
