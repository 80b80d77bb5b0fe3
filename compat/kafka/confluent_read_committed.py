"""confluent-kafka-python (librdkafka 2.0) transactions and read_committed reads for read-committed.test.ts.
JSON in on stdin, JSON out on stdout.

  {"mode": "produce", "bootstrap", "topic", "txid", "transactions": [[commit?, [values...]], ...]}
      -> {"ok": true}: one init_transactions, then each transaction's values to partition 0, committed or
         aborted as it says
  {"mode": "read", "bootstrap", "topic", "isolation"}
      -> {"values": [...]}: partition 0 from the beginning to the end the isolation level allows
         (read_committed: the last stable offset), as librdkafka reports partition EOF there
  {"mode": "transform", "bootstrap", "input", "output", "group", "txid", "count", "commit"}
      -> {"consumed": n}: a consume-transform-produce step: reads `count` records of `input` in group
         `group`, writes each upper-cased to `output` and the group's offsets in the same transaction
         (send_offsets_to_transaction), then commits or aborts it
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition, OFFSET_BEGINNING

TIMEOUT_S = 30


def producer(args):
    p = Producer({
        'bootstrap.servers': args['bootstrap'],
        'client.id': 'confluent-txn',
        'transactional.id': args['txid'],
        'linger.ms': 5,
    })
    p.init_transactions(TIMEOUT_S)
    return p


def produce(args):
    p = producer(args)
    for commit, values in args['transactions']:
        p.begin_transaction()
        for v in values:
            p.produce(args['topic'], value=v.encode(), partition=0)
        # Delivered before the end: abort_transaction would purge records still queued, and the aborted
        # ones are to be in the log (for the read_uncommitted reader and the aborted index).
        p.flush(TIMEOUT_S)
        if commit:
            p.commit_transaction(TIMEOUT_S)
        else:
            p.abort_transaction(TIMEOUT_S)
    return {'ok': True}


def read(args):
    c = Consumer({
        'bootstrap.servers': args['bootstrap'],
        'group.id': 'confluent-reader',
        'client.id': 'confluent-reader',
        'enable.auto.commit': False,
        'enable.partition.eof': True,
        'isolation.level': args['isolation'],
    })
    c.assign([TopicPartition(args['topic'], 0, OFFSET_BEGINNING)])
    values = []
    deadline = time.time() + TIMEOUT_S
    while time.time() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                break
            raise RuntimeError(str(m.error()))
        values.append(m.value().decode())
    c.close()
    return {'values': values}


def transform(args):
    c = Consumer({
        'bootstrap.servers': args['bootstrap'],
        'group.id': args['group'],
        'client.id': 'confluent-transform',
        'enable.auto.commit': False,
        'auto.offset.reset': 'earliest',
        'isolation.level': 'read_committed',
        'session.timeout.ms': 10000,
    })
    c.subscribe([args['input']])
    p = producer(args)
    p.begin_transaction()
    consumed = 0
    deadline = time.time() + TIMEOUT_S
    while consumed < args['count'] and time.time() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            raise RuntimeError(str(m.error()))
        p.produce(args['output'], value=m.value().decode().upper().encode(), partition=0)
        consumed += 1
    p.flush(TIMEOUT_S)
    p.send_offsets_to_transaction(c.position(c.assignment()), c.consumer_group_metadata(), TIMEOUT_S)
    if args['commit']:
        p.commit_transaction(TIMEOUT_S)
    else:
        p.abort_transaction(TIMEOUT_S)
    c.close()
    return {'consumed': consumed}


def main():
    args = json.load(sys.stdin)
    result = {'produce': produce, 'read': read, 'transform': transform}[args['mode']](args)
    print(json.dumps(result))


main()
