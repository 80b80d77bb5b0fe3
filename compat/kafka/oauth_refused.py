# confluent-kafka-python (librdkafka) with OAUTHBEARER tokens handed over by oauth_cb that the broker must
# refuse. argv[1]: {"conf": {...}, "tokens": [...]}. For each token, a producer waits for librdkafka's
# authentication error; prints the error each one got (a list of at most one message per token).
import json
import sys
import time

from confluent_kafka import KafkaError, Producer

a = json.loads(sys.argv[1])
results = []
for token in a['tokens']:
    errors = []
    p = Producer({**a['conf'], 'oauth_cb': lambda _config, t=token: (t, time.time() + 3600), 'error_cb': errors.append})
    deadline = time.time() + 20
    # librdkafka reports the refused authentication through error_cb; wait for that event.
    while not any(e.code() == KafkaError._AUTHENTICATION for e in errors) and time.time() < deadline:
        p.poll(0.1)
    results.append([e.str() for e in errors if e.code() == KafkaError._AUTHENTICATION][:1])
print(json.dumps(results))
