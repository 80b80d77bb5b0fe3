"""confluent-kafka-python (librdkafka) in a consumer group: subscribe, poll up to `count` records, commit
synchronously after each of the first `commit` of them, and report what was consumed and what the broker
says is committed. JSON in on stdin, JSON out on stdout."""
import json
import sys
import time

from confluent_kafka import Consumer, TopicPartition


def main():
    args = json.load(sys.stdin)
    consumer = Consumer({
        'bootstrap.servers': args['bootstrap'],
        'group.id': args['group'],
        'client.id': 'confluent-compat',
        'enable.auto.commit': False,
        'auto.offset.reset': 'earliest',
        'session.timeout.ms': 10000,
    })
    consumer.subscribe([args['topic']])
    consumed = []
    deadline = time.time() + args.get('seconds', 60)
    while len(consumed) < args['count'] and time.time() < deadline:
        message = consumer.poll(0.5)
        if message is None:
            continue
        if message.error():
            raise RuntimeError(str(message.error()))
        consumed.append([message.partition(), message.offset(), message.value().decode()])
        if len(consumed) <= args['commit']:
            # Commits message offset + 1 and waits for the broker's answer.
            consumer.commit(message=message, asynchronous=False)
    partitions = [TopicPartition(args['topic'], p) for p in range(args['partitions'])]
    committed = consumer.committed(partitions, timeout=10)
    consumer.close()
    print(json.dumps({'consumed': consumed, 'committed': [[tp.partition, tp.offset] for tp in committed]}))


main()
