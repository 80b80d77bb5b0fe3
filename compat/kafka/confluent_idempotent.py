"""confluent-kafka-python (librdkafka) as an idempotent producer for idempotence.test.ts. JSON in on stdin,
JSON out on stdout.

  {"mode": "produce", "bootstrap", "topic", "count"}
      -> {"delivered": n, "errors": [first few delivery errors]}: values "0".."count-1" to partition 0 with
         enable.idempotence=True (acks=all, retries, up to 5 requests in flight)
"""
import json
import sys

from confluent_kafka import Producer

TIMEOUT_S = 50


def produce(args):
    producer = Producer({
        'bootstrap.servers': args['bootstrap'],
        'client.id': 'confluent-idempotent',
        'enable.idempotence': True,
        'linger.ms': 5,
        'batch.num.messages': 500,
        'retry.backoff.ms': 20,
        'reconnect.backoff.ms': 10,
        'reconnect.backoff.max.ms': 100,
        'message.timeout.ms': TIMEOUT_S * 1000,
    })
    state = {'delivered': 0, 'errors': []}

    def report(err, _message):
        if err is None:
            state['delivered'] += 1
        elif len(state['errors']) < 5:
            state['errors'].append(str(err))

    for i in range(args['count']):
        while True:
            try:
                producer.produce(args['topic'], value=str(i).encode(), partition=0, on_delivery=report)
                break
            except BufferError:
                producer.poll(0.01)
        producer.poll(0)
    producer.flush(TIMEOUT_S)
    return state


def main():
    args = json.load(sys.stdin)
    result = {'produce': produce}[args['mode']](args)
    json.dump(result, sys.stdout)


main()
