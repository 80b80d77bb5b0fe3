"""A librdkafka (confluent-kafka) producer for the failover test: keyed records with acks=all, one
request in flight (so a retry cannot overtake a later record), printing "ACK key seq" for every record
the broker acknowledged, until SIGTERM; then it flushes what is in flight and prints "DONE". With a
fourth argument "idempotent" it is an idempotent producer instead (enable.idempotence: five requests in
flight, order and exactly-once kept by producer id and sequence numbers)."""
import signal
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, keys = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
idempotent = len(sys.argv) > 4 and sys.argv[4] == "idempotent"
stopping = False


def stop(_sig, _frame):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, stop)

producer = Producer({
    "bootstrap.servers": bootstrap,
    "acks": "all",
    "linger.ms": 5,
    "enable.idempotence": idempotent,
    "max.in.flight.requests.per.connection": 5 if idempotent else 1,
    "message.timeout.ms": 60000,
    "retry.backoff.ms": 100,
    "topic.metadata.refresh.interval.ms": 1000,
})


def delivered(err, msg):
    if err is None:
        key, seq = msg.value().decode().split(":")
        print(f"ACK {key} {seq}", flush=True)


seq = 0
while not stopping:
    key = keys[seq % len(keys)]
    try:
        producer.produce(topic, key=key.encode(), value=f"{key}:{seq}".encode(), on_delivery=delivered)
        seq += 1
    except BufferError:
        pass
    producer.poll(0.005)
producer.flush(60)
print("DONE", flush=True)
