"""confluent-kafka-python (librdkafka) writing and reading records for confluent-kafka.test.ts. JSON in on
stdin, JSON out on stdout; keys, values and header values travel as hex, null as null.

  {"mode": "produce", "bootstrap", "topic", "codec", "records": [{partition, key, value, headers, timestamp}]}
      -> [{partition, offset, timestamp}]: each record's delivery report, in the order sent
  {"mode": "consume", "bootstrap", "topic", "reads": [[[partition, offset], ...], ...]}
      -> for each read, every record from those offsets to the end of those partitions, by assign()
  {"mode": "metadata", "bootstrap"} -> what list_topics() reports
"""
import ctypes
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from hex_json import hexed, unhex

TIMEOUT_S = 60


def headers_of(message):
    headers = message.headers() or []
    for _, value in headers:
        if value is None:
            # confluent-kafka-python 1.7 hands out None header values without a reference of their own
            # (confluentinc/confluent-kafka-python#1191), so the interpreter would later free None and abort.
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
    return [[name, hexed(value)] for name, value in headers]


def produce(args):
    producer = Producer({
        'bootstrap.servers': args['bootstrap'],
        'client.id': 'confluent-compat',
        'acks': 'all',
        'compression.codec': args['codec'],
    })
    reports = [None] * len(args['records'])

    def on_delivery(index):
        def report(err, message):
            if err is not None:
                raise RuntimeError('record %d not delivered: %s' % (index, err))
            reports[index] = {'partition': message.partition(), 'offset': message.offset(), 'timestamp': message.timestamp()[1]}
        return report

    for index, record in enumerate(args['records']):
        producer.produce(
            args['topic'],
            value=unhex(record['value']),
            key=unhex(record['key']),
            partition=record['partition'],
            headers=[(name, unhex(value)) for name, value in record['headers']],
            timestamp=record['timestamp'],
            on_delivery=on_delivery(index),
        )
        producer.poll(0)
    if producer.flush(TIMEOUT_S) != 0:
        raise RuntimeError('records still undelivered after %d s' % TIMEOUT_S)
    return reports


def read(bootstrap, topic, start):
    consumer = Consumer({
        'bootstrap.servers': bootstrap,
        'client.id': 'confluent-compat',
        # The binding insists on a group id; assign() never joins the group and nothing is committed.
        'group.id': 'confluent-compat-assign',
        'enable.auto.commit': False,
        'enable.partition.eof': True,
        'check.crcs': True,
    })
    consumer.assign([TopicPartition(topic, partition, offset) for partition, offset in start])
    unfinished = {partition for partition, _ in start}
    records = []
    deadline = time.time() + TIMEOUT_S
    while unfinished:
        if time.time() > deadline:
            raise RuntimeError('partitions %s not read to the end in %d s' % (sorted(unfinished), TIMEOUT_S))
        message = consumer.poll(0.5)
        if message is None:
            continue
        if message.error():
            if message.error().code() == KafkaError._PARTITION_EOF:
                unfinished.discard(message.partition())
                continue
            raise RuntimeError(str(message.error()))
        records.append({
            'partition': message.partition(),
            'offset': message.offset(),
            'key': hexed(message.key()),
            'value': hexed(message.value()),
            'headers': headers_of(message),
            'timestamp': message.timestamp()[1],
        })
    consumer.close()
    return records


def consume(args):
    return [read(args['bootstrap'], args['topic'], start) for start in args['reads']]


def metadata(args):
    cluster = AdminClient({'bootstrap.servers': args['bootstrap']}).list_topics(timeout=TIMEOUT_S)
    return {
        'clusterId': cluster.cluster_id,
        'controllerId': cluster.controller_id,
        'brokers': sorted([b.id, b.host, b.port] for b in cluster.brokers.values()),
        'topics': {
            name: sorted([p.id, p.leader, p.replicas, p.isrs] for p in topic.partitions.values())
            for name, topic in cluster.topics.items()
        },
    }


def main():
    args = json.load(sys.stdin)
    print(json.dumps({'produce': produce, 'consume': consume, 'metadata': metadata}[args['mode']](args)))


main()
