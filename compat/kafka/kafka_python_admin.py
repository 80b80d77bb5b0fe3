"""kafka-python 2.0.2's KafkaAdminClient through a round of topic administration for kafka-python.test.ts:
create (with configs, validate_only, and what Kafka refuses), list and describe topics, describe configs,
add partitions, delete. Each step reports None for success or the name of the error kafka-python raised.
JSON in on stdin ({"bootstrap", "prefix"}), JSON out on stdout."""
import json
import sys

from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewPartitions, NewTopic
from kafka.errors import BrokerResponseError

TIMEOUT_MS = 30000
DESCRIBED = ['retention.ms', 'cleanup.policy', 'segment.bytes']


def outcome(call):
    try:
        call()
        return None
    except BrokerResponseError as e:
        return e.message


def topics(admin, prefix):
    described = admin.describe_topics([t for t in sorted(admin.list_topics()) if t.startswith(prefix)])
    return {
        t['topic']: sorted([p['partition'], p['leader'], p['replicas'], p['isr']] for p in t['partitions'])
        for t in described
    }


def configs(admin, topic):
    resource = ConfigResource(ConfigResourceType.TOPIC, topic, configs={name: None for name in DESCRIBED})
    [response] = admin.describe_configs([resource])
    [(error_code, _, _, name, entries)] = response.resources
    assert error_code == 0 and name == topic, (error_code, name)
    # Each entry: name, value, read_only, then fields whose meaning kafka-python's schemas blur by version.
    return {entry[0]: entry[1] for entry in entries}


def main():
    args = json.load(sys.stdin)
    prefix = args['prefix']
    a, b, c = prefix + 'a', prefix + 'b', prefix + 'c'
    admin = KafkaAdminClient(bootstrap_servers=args['bootstrap'], client_id='kafka-python-compat-admin')
    report = {}
    report['create'] = outcome(lambda: admin.create_topics([
        NewTopic(a, num_partitions=2, replication_factor=1, topic_configs={'retention.ms': '7200000', 'cleanup.policy': 'compact,delete'}),
        NewTopic(b, num_partitions=1, replication_factor=1),
    ], timeout_ms=TIMEOUT_MS))
    report['createExisting'] = outcome(lambda: admin.create_topics([NewTopic(a, num_partitions=1, replication_factor=1)]))
    report['createInvalidName'] = outcome(lambda: admin.create_topics([NewTopic(prefix + 'bad name!', num_partitions=1, replication_factor=1)]))
    report['createNoPartitions'] = outcome(lambda: admin.create_topics([NewTopic(c, num_partitions=0, replication_factor=1)]))
    report['validateOnly'] = outcome(lambda: admin.create_topics([NewTopic(c, num_partitions=2, replication_factor=1)], validate_only=True))
    report['afterCreate'] = topics(admin, prefix)
    report['configs'] = configs(admin, a)
    report['createPartitions'] = outcome(lambda: admin.create_partitions({b: NewPartitions(3)}, timeout_ms=TIMEOUT_MS))
    report['createPartitionsFewer'] = outcome(lambda: admin.create_partitions({a: NewPartitions(1)}))
    report['afterPartitions'] = topics(admin, prefix)
    report['delete'] = outcome(lambda: admin.delete_topics([a, b], timeout_ms=TIMEOUT_MS))
    report['deleteMissing'] = outcome(lambda: admin.delete_topics([prefix + 'missing']))
    report['afterDelete'] = topics(admin, prefix)
    admin.close()
    print(json.dumps(report))


main()
