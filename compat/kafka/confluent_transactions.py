"""confluent-kafka-python (librdkafka) transactions for transactions.test.ts.

  JSON on stdin, JSON result on stdout:
  {"mode": "basic", "bootstrap", "topic", "group"} -> {"fencedError", "committedOffset"}:
      init_transactions; a committed transaction of "c0".."c2", an aborted one of "x0".."x1", a committed
      one of "c3" with send_offsets_to_transaction (group, partition 0 -> offset 7); then a second
      producer with the same transactional.id fences the first (its commit fails with the error printed).
  {"mode": "read", "bootstrap", "topic", "partitions"} -> {"values": [...], "complete"}: every value a read_committed consumer
      sees, reading each partition to its end.
  python3 confluent_transactions.py transform '<json>'   (JSON lines on stdout, runs until killed or done)
      {"bootstrap", "source", "sink", "partitions", "group", "transactionalId"}: the consume-transform-produce
      loop. Offsets come from the group (read_committed, so a transaction left open by a killed
      predecessor is settled first by init_transactions fencing it); each batch is produced to the sink's
      same partition and its offsets sent in the same transaction. Prints {"event": "ready"}, then
      {"event": "committed", "records": n} per transaction, {"event": "done"} once every partition is at
      its end.
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition, OFFSET_BEGINNING

TIMEOUT_S = 30
# Records per transaction in transform mode.
TRANSACTION_RECORDS = 50


def emit(event, **fields):
    print(json.dumps({'event': event, 't': int(time.time() * 1000), **fields}), flush=True)


def producer_for(bootstrap, transactional_id):
    return Producer({
        'bootstrap.servers': bootstrap,
        'transactional.id': transactional_id,
        'transaction.timeout.ms': 10000,
        'linger.ms': 5,
        'retry.backoff.ms': 50,
        'reconnect.backoff.ms': 20,
        'reconnect.backoff.max.ms': 200,
    })


def consumer_for(bootstrap, group):
    return Consumer({
        'bootstrap.servers': bootstrap,
        'group.id': group,
        'enable.auto.commit': False,
        'isolation.level': 'read_committed',
        'auto.offset.reset': 'earliest',
        'enable.partition.eof': True,
        'fetch.wait.max.ms': 50,
    })


def basic(args):
    topic = args['topic']
    producer = producer_for(args['bootstrap'], 'compat-basic')
    producer.init_transactions(TIMEOUT_S)
    producer.begin_transaction()
    for i in range(3):
        producer.produce(topic, value=f'c{i}'.encode(), partition=0)
    producer.commit_transaction(TIMEOUT_S)
    producer.begin_transaction()
    for i in range(2):
        producer.produce(topic, value=f'x{i}'.encode(), partition=0)
    # Delivered before the abort, as librdkafka's users must (librdkafka#4849, Apache Kafka alike): an abort
    # while the partition's AddPartitionsToTxn is sent but unanswered sends EndTxn(ABORT) to a coordinator
    # still in the previous transaction's PrepareCommit/CompleteCommit, which answers INVALID_TXN_STATE, and
    # librdkafka takes that as fatal. A coordinator finishing the previous commit's markers widens the window.
    producer.flush(TIMEOUT_S)
    producer.abort_transaction(TIMEOUT_S)
    consumer = consumer_for(args['bootstrap'], args['group'])
    producer.begin_transaction()
    producer.produce(topic, value=b'c3', partition=0)
    producer.send_offsets_to_transaction([TopicPartition(topic, 0, 7)], consumer.consumer_group_metadata(), TIMEOUT_S)
    producer.commit_transaction(TIMEOUT_S)
    committed = consumer.committed([TopicPartition(topic, 0)], TIMEOUT_S)[0].offset
    consumer.close()
    # A second producer of the same transactional.id fences the first, whose open transaction is aborted.
    producer.begin_transaction()
    producer.produce(topic, value=b'zombie', partition=0)
    producer.flush(TIMEOUT_S)
    successor = producer_for(args['bootstrap'], 'compat-basic')
    successor.init_transactions(TIMEOUT_S)
    fenced = None
    try:
        producer.commit_transaction(TIMEOUT_S)
    except KafkaException as e:
        fenced = str(e.args[0])
    successor.begin_transaction()
    successor.produce(topic, value=b'c4', partition=0)
    successor.commit_transaction(TIMEOUT_S)
    return {'fencedError': fenced, 'committedOffset': committed}


def read(args):
    consumer = consumer_for(args['bootstrap'], 'compat-reader')
    consumer.assign([TopicPartition(args['topic'], p, OFFSET_BEGINNING) for p in range(args['partitions'])])
    at_end = set()
    values = []
    deadline = time.time() + TIMEOUT_S
    while len(at_end) < args['partitions'] and time.time() < deadline:
        for m in consumer.consume(500, 0.5):
            if m.error():
                if m.error().code() == -191:  # _PARTITION_EOF
                    at_end.add(m.partition())
                    continue
                raise KafkaException(m.error())
            values.append(m.value().decode())
    consumer.close()
    return {'values': values, 'complete': len(at_end) == args['partitions']}


def transform(args):
    source, sink, partitions = args['source'], args['sink'], args['partitions']
    producer = producer_for(args['bootstrap'], args['transactionalId'])
    producer.init_transactions(TIMEOUT_S)
    consumer = consumer_for(args['bootstrap'], args['group'])
    committed = consumer.committed([TopicPartition(source, p) for p in range(partitions)], TIMEOUT_S)
    consumer.assign([TopicPartition(source, tp.partition, tp.offset if tp.offset >= 0 else OFFSET_BEGINNING) for tp in committed])
    emit('ready')
    at_end = set()
    while True:
        batch = []
        # Small transactions: the kill loop's 20 kills after at most a few commits each must not finish the
        # source (a loaded machine fills every consume), or later kills would hit an idle process.
        for m in consumer.consume(TRANSACTION_RECORDS, 0.2):
            if m.error():
                if m.error().code() == -191:
                    at_end.add(m.partition())
                    continue
                raise KafkaException(m.error())
            at_end.discard(m.partition())
            batch.append(m)
        if not batch:
            if len(at_end) == partitions:
                emit('done')
                return
            continue
        producer.begin_transaction()
        next_offsets = {}
        for m in batch:
            producer.produce(sink, key=m.key(), value=b'T' + m.value(), partition=m.partition())
            next_offsets[m.partition()] = m.offset() + 1
        producer.send_offsets_to_transaction([TopicPartition(source, p, o) for p, o in next_offsets.items()], consumer.consumer_group_metadata(), TIMEOUT_S)
        producer.commit_transaction(TIMEOUT_S)
        emit('committed', records=len(batch))


def main():
    # transform runs as a long-lived child (arguments on the command line); the others as one-shot JSON.
    if len(sys.argv) > 2:
        mode, args = sys.argv[1], json.loads(sys.argv[2])
    else:
        args = json.load(sys.stdin)
        mode = args['mode']
    if mode == 'transform':
        transform(args)
        return
    print(json.dumps({'basic': basic, 'read': read}[mode](args)))


if __name__ == '__main__':
    main()
