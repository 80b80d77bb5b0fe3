"""kafka-python 2.0.2 writing and reading records for kafka-python.test.ts. JSON in on stdin, JSON out on
stdout; keys, values and header values travel as hex, null as null.

  {"mode": "produce", "bootstrap", "topic", "codec", "records": [{partition, key, value, headers, timestamp}]}
      -> [{partition, offset, timestamp}]: each send's RecordMetadata, in the order sent
  {"mode": "consume", "bootstrap", "topic", "partitions", "seek": {partition: offset}, "times": [[partition, ts]]}
      -> {"records": every record from the beginning (or the seek offset) to the end of each partition,
          "beginning"/"end": beginning_offsets and end_offsets, "times": offsets_for_times per query}
"""
import json
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from hex_json import hexed, unhex

TIMEOUT_S = 60


def produce(args):
    producer = KafkaProducer(
        bootstrap_servers=args['bootstrap'],
        client_id='kafka-python-compat',
        acks='all',
        compression_type=None if args['codec'] == 'none' else args['codec'],
        linger_ms=5,
    )
    futures = [
        producer.send(
            args['topic'],
            value=unhex(record['value']),
            key=unhex(record['key']),
            headers=[(name, unhex(value)) for name, value in record['headers']],
            partition=record['partition'],
            timestamp_ms=record['timestamp'],
        )
        for record in args['records']
    ]
    producer.flush(TIMEOUT_S)
    reports = []
    for future in futures:
        metadata = future.get(timeout=TIMEOUT_S)
        reports.append({'partition': metadata.partition, 'offset': metadata.offset, 'timestamp': metadata.timestamp})
    producer.close()
    return reports


def consume(args):
    consumer = KafkaConsumer(
        bootstrap_servers=args['bootstrap'],
        client_id='kafka-python-compat',
        group_id=None,
        enable_auto_commit=False,
        check_crcs=True,
    )
    partitions = [TopicPartition(args['topic'], p) for p in range(args['partitions'])]
    consumer.assign(partitions)
    consumer.seek_to_beginning()
    for partition, offset in args['seek'].items():
        consumer.seek(partitions[int(partition)], offset)
    beginning = consumer.beginning_offsets(partitions)
    end = consumer.end_offsets(partitions)
    records = []
    deadline = time.time() + TIMEOUT_S
    while any(consumer.position(tp) < end[tp] for tp in partitions):
        if time.time() > deadline:
            raise RuntimeError('not read to the end in %d s' % TIMEOUT_S)
        for batch in consumer.poll(timeout_ms=500).values():
            for r in batch:
                records.append({
                    'partition': r.partition,
                    'offset': r.offset,
                    'key': hexed(r.key),
                    'value': hexed(r.value),
                    'headers': [[name, hexed(value)] for name, value in r.headers],
                    'timestamp': r.timestamp,
                })
    times = []
    for partition, timestamp in args['times']:
        found = consumer.offsets_for_times({partitions[partition]: timestamp})[partitions[partition]]
        times.append(None if found is None else [found.offset, found.timestamp])
    consumer.close()
    return {
        'records': records,
        'beginning': [beginning[tp] for tp in partitions],
        'end': [end[tp] for tp in partitions],
        'times': times,
    }


def main():
    args = json.load(sys.stdin)
    print(json.dumps({'produce': produce, 'consume': consume}[args['mode']](args)))


main()
