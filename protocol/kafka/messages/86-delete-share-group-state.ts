// DeleteShareGroupState (API key 86, KIP-932): the share coordinator forgets share-partitions' state
// (DeleteShareGroupOffsets and DeleteGroups ask it). Broker to broker only. Field for field as in Kafka's
// DeleteShareGroupStateRequest.json and DeleteShareGroupStateResponse.json (v0).
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';
import { STATE_RESULT_FIELDS } from './85-write-share-group-state.js';

export const DeleteShareGroupStateRequestSpec = {
  apiKey: 86,
  type: 'request',
  name: 'DeleteShareGroupStateRequest',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    {
      name: 'Topics',
      type: '[]DeleteStateData',
      versions: '0+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '0+' },
        { name: 'Partitions', type: '[]PartitionData', versions: '0+', fields: [{ name: 'Partition', type: 'int32', versions: '0+' }] },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const DeleteShareGroupStateResponseSpec = {
  apiKey: 86,
  type: 'response',
  name: 'DeleteShareGroupStateResponse',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [{ name: 'Results', type: '[]DeleteStateResult', versions: '0+', fields: STATE_RESULT_FIELDS }],
} as const satisfies MessageSpec;

export type DeleteShareGroupStateRequest = MessageValue<typeof DeleteShareGroupStateRequestSpec>;
export type DeleteShareGroupStateRequestInput = MessageInput<typeof DeleteShareGroupStateRequestSpec>;
export type DeleteShareGroupStateResponse = MessageValue<typeof DeleteShareGroupStateResponseSpec>;
export type DeleteShareGroupStateResponseInput = MessageInput<typeof DeleteShareGroupStateResponseSpec>;
