"""confluent-kafka-python's AdminClient (librdkafka) through a round of topic administration for
confluent-kafka.test.ts: create (with configs, validate_only, and what Kafka refuses), describe and alter
configs, add partitions, delete. Each step reports what the client got back: None for success or the
error's name. JSON in on stdin ({"bootstrap", "prefix"}), JSON out on stdout."""
import json
import sys

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

TIMEOUT_S = 30
# Enough to see each config's value, where it comes from, and Kafka's flags for it.
DESCRIBED = ['retention.ms', 'cleanup.policy', 'segment.bytes', 'max.message.bytes']


def outcome(future):
    try:
        future.result(timeout=TIMEOUT_S)
        return None
    except KafkaException as e:
        return e.args[0].name()


def outcomes(futures):
    # Keyed by topic name, or by the ConfigResource for configs.
    return {getattr(key, 'name', key): outcome(future) for key, future in futures.items()}


def topic_partitions(admin, prefix):
    topics = admin.list_topics(timeout=TIMEOUT_S).topics
    return {name: len(t.partitions) for name, t in sorted(topics.items()) if name.startswith(prefix)}


def described(admin, topic):
    resource = ConfigResource('topic', topic)
    entries = admin.describe_configs([resource])[resource].result(timeout=TIMEOUT_S)
    return {
        name: {
            'value': entries[name].value,
            'source': entries[name].source,
            'isDefault': entries[name].is_default,
            'isReadOnly': entries[name].is_read_only,
            'isSensitive': entries[name].is_sensitive,
        }
        for name in DESCRIBED
    }


def main():
    args = json.load(sys.stdin)
    prefix = args['prefix']
    a, b, c = prefix + 'a', prefix + 'b', prefix + 'c'
    admin = AdminClient({'bootstrap.servers': args['bootstrap'], 'client.id': 'confluent-compat-admin'})
    report = {}
    report['create'] = outcomes(admin.create_topics([
        NewTopic(a, num_partitions=3, replication_factor=1, config={'retention.ms': '3600000', 'cleanup.policy': 'compact'}),
        NewTopic(b, num_partitions=1, replication_factor=1),
    ], operation_timeout=TIMEOUT_S))
    report['createAgain'] = outcomes(admin.create_topics([
        NewTopic(a, num_partitions=1, replication_factor=1),
        NewTopic(prefix + 'bad name!', num_partitions=1, replication_factor=1),
        NewTopic(prefix + 'bad-config', num_partitions=1, replication_factor=1, config={'cleanup.policy': 'shred'}),
    ]))
    report['validateOnly'] = outcomes(admin.create_topics([NewTopic(c, num_partitions=2, replication_factor=1)], validate_only=True))
    report['afterCreate'] = topic_partitions(admin, prefix)
    report['configs'] = described(admin, a)
    report['alter'] = outcomes(admin.alter_configs([ConfigResource('topic', b, set_config={'retention.ms': '86400000'})]))
    report['alteredRetention'] = described(admin, b)['retention.ms']
    report['createPartitions'] = outcomes(admin.create_partitions([NewPartitions(a, 5)]))
    report['createPartitionsRefused'] = outcomes(admin.create_partitions([NewPartitions(b, 1), NewPartitions(prefix + 'missing', 2)]))
    report['afterPartitions'] = topic_partitions(admin, prefix)
    report['delete'] = outcomes(admin.delete_topics([a, b], operation_timeout=TIMEOUT_S))
    report['deleteMissing'] = outcomes(admin.delete_topics([prefix + 'missing']))
    report['afterDelete'] = topic_partitions(admin, prefix)
    print(json.dumps(report))


main()
