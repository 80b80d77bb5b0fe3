# confluent-kafka-python (librdkafka) with OAUTHBEARER tokens handed over by oauth_cb, as an application
# that gets them from its identity provider does. argv[1]: {"conf": {...}, "topic": ..., "tokens": [...],
# "mode": "roundtrip" | "refused"}.
# roundtrip: with tokens[0], produce 5 records (acks=all) and read them back; prints them as a JSON list.
# refused: for each token, a client that must fail to authenticate; prints the error each one got.
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer

a = json.loads(sys.argv[1])


def with_token(token):
    # The token's own exp is what the broker checks; librdkafka only needs a lifetime to schedule a refresh.
    return {**a['conf'], 'oauth_cb': lambda _config: (token, time.time() + 3600)}


if a['mode'] == 'roundtrip':
    conf = with_token(a['tokens'][0])
    topic = a['topic']
    p = Producer({**conf, 'acks': 'all'})
    for i in range(5):
        p.produce(topic, value=b'o%d' % i)
    assert p.flush(30) == 0, 'not delivered'
    c = Consumer({**conf, 'group.id': topic + '-g', 'auto.offset.reset': 'earliest'})
    c.subscribe([topic])
    got = []
    while len(got) < 5:
        m = c.poll(20)
        assert m is not None, 'timed out'
        assert m.error() is None, m.error()
        got.append(m.value().decode())
    c.close()
    print(json.dumps(got))
else:
    results = []
    for token in a['tokens']:
        errors = []
        p = Producer({**with_token(token), 'error_cb': lambda e: errors.append(e)})
        deadline = time.time() + 20
        # librdkafka reports the refused authentication through error_cb; wait for that event.
        while not any(e.code() == KafkaError._AUTHENTICATION for e in errors) and time.time() < deadline:
            p.poll(0.1)
        results.append([e.str() for e in errors if e.code() == KafkaError._AUTHENTICATION][:1])
    print(json.dumps(results))
