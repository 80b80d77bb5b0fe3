# Produces 20 records with acks=all and consumes them back from the beginning, with the security settings
# a test passes (TLS, SASL): the same round trip for confluent-kafka-python and kafka-python.
# argv[1]: {"client": "confluent"|"kafka-python", "conf": {...client settings...}, "topic": ..., "prefix": ...,
# "oauth_token": an OAUTHBEARER token confluent-kafka-python's oauth_cb hands over, or null}
# Prints the values read, as a JSON list.
import json
import sys
import time

a = json.loads(sys.argv[1])
conf, topic, prefix = a['conf'], a['topic'], a['prefix'].encode()
if a.get('oauth_token'):
    # The token's own exp is what the broker checks; librdkafka only needs a lifetime to plan a refresh.
    conf = {**conf, 'oauth_cb': lambda _config: (a['oauth_token'], time.time() + 3600)}
got = []
if a['client'] == 'confluent':
    from confluent_kafka import Consumer, Producer
    p = Producer({**conf, 'acks': 'all'})
    for i in range(20):
        p.produce(topic, value=prefix + b'%d' % i)
    assert p.flush(30) == 0
    c = Consumer({**conf, 'group.id': topic + '-g', 'auto.offset.reset': 'earliest'})
    c.subscribe([topic])
    while len(got) < 20:
        m = c.poll(20)
        assert m is not None, 'timed out'
        assert m.error() is None, m.error()
        got.append(m.value().decode())
    c.close()
else:
    from kafka import KafkaConsumer, KafkaProducer
    p = KafkaProducer(acks='all', **conf)
    for i in range(20):
        p.send(topic, prefix + b'%d' % i)
    p.flush(30)
    c = KafkaConsumer(topic, auto_offset_reset='earliest', consumer_timeout_ms=20000, **conf)
    for m in c:
        got.append(m.value.decode())
        if len(got) == 20:
            break
    c.close()
    p.close()
print(json.dumps(got))
