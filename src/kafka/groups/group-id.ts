// Which group ids a request may carry.
import { MAX_STRING_BYTES } from '../../../protocol/kafka/primitives.js';

/**
 * Group ids travel as Kafka strings. The membership APIs (and OffsetDelete) refuse an empty one; the
 * offset and admin APIs accept it, as Kafka does for old clients that commit under "".
 */
export function isValidGroupId(groupId: string, mustBeNonEmpty: boolean): boolean {
  if (mustBeNonEmpty && groupId === '') return false;
  return Buffer.byteLength(groupId) <= MAX_STRING_BYTES;
}
