"""kafka-python's KafkaConsumer in a consumer group: read up to `count` records (stopping after `idle_ms`
without one), commit, and report the records, the assignment and the committed offsets. JSON in on
stdin, JSON out on stdout."""
import json
import sys

from kafka import KafkaConsumer, TopicPartition


def main():
    args = json.load(sys.stdin)
    consumer = KafkaConsumer(
        args['topic'],
        bootstrap_servers=args['bootstrap'],
        group_id=args['group'],
        client_id='kafka-python-compat',
        auto_offset_reset='earliest',
        enable_auto_commit=False,
        session_timeout_ms=10000,
        heartbeat_interval_ms=1000,
        consumer_timeout_ms=args['idle_ms'],
    )
    consumed = []
    for message in consumer:
        consumed.append([message.partition, message.offset, message.value.decode()])
        if len(consumed) >= args['count']:
            break
    assignment = sorted(tp.partition for tp in consumer.assignment())
    consumer.commit()
    committed = [[p, consumer.committed(TopicPartition(args['topic'], p))] for p in range(args['partitions'])]
    consumer.close()
    print(json.dumps({'consumed': consumed, 'assignment': assignment, 'committed': committed}))


main()
