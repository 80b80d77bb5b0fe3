"""confluent-kafka-python (librdkafka) under client quotas, for quotas.test.ts. JSON in on stdin, JSON out.

  {"mode": "produce", "bootstrap", "topic", "clientId", "count", "size"}
      -> {"seconds", "bytes", "throttles": [ms, ...]}: count records of size bytes sent as fast as the
         producer may, timed until the last is acknowledged; throttles as throttle_cb reported them
  {"mode": "consume", "bootstrap", "topic", "clientId", "count"}
      -> {"seconds", "bytes", "throttles"}: partition 0 read from the beginning until count records
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition

TIMEOUT_S = 60


def produce(args):
    throttles = []
    producer = Producer({
        'bootstrap.servers': args['bootstrap'],
        'client.id': args['clientId'],
        'acks': 'all',
        'linger.ms': 5,
        # Many small requests, so the quota is measured and enforced along the way.
        'batch.size': 32768,
        'throttle_cb': lambda event: throttles.append(event.throttle_time * 1000),
    })
    payload = b'x' * args['size']
    started = time.monotonic()
    for _ in range(args['count']):
        while True:
            try:
                producer.produce(args['topic'], payload, partition=0)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    if producer.flush(TIMEOUT_S) != 0:
        raise SystemExit('records not acknowledged in time')
    seconds = time.monotonic() - started
    producer.poll(0)
    return {'seconds': seconds, 'bytes': args['count'] * args['size'], 'throttles': throttles}


def consume(args):
    throttles = []
    consumer = Consumer({
        'bootstrap.servers': args['bootstrap'],
        'client.id': args['clientId'],
        'group.id': args['clientId'],
        'enable.auto.commit': False,
        'throttle_cb': lambda event: throttles.append(event.throttle_time * 1000),
    })
    consumer.assign([TopicPartition(args['topic'], 0, 0)])
    got = 0
    size = 0
    started = time.monotonic()
    deadline = started + TIMEOUT_S
    while got < args['count'] and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is None or message.error():
            continue
        got += 1
        size += len(message.value())
    seconds = time.monotonic() - started
    consumer.close()
    if got < args['count']:
        raise SystemExit(f'read {got} of {args["count"]} records in time')
    return {'seconds': seconds, 'bytes': size, 'throttles': throttles}


args = json.load(sys.stdin)
json.dump({'produce': produce, 'consume': consume}[args['mode']](args), sys.stdout)
