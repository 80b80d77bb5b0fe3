"""confluent-kafka-python (librdkafka) looking at a three-broker Skein cluster: creates a topic with
replication factor 3 through one broker, then reports what list_topics shows through each broker.
JSON in on stdin ({"bootstrap", "topic", "partitions"}), JSON out on stdout."""
import json
import sys
import time

from confluent_kafka.admin import AdminClient, NewTopic

TIMEOUT_S = 30

request = json.load(sys.stdin)
servers = request['bootstrap'].split(',')
admin = AdminClient({'bootstrap.servers': servers[0]})
admin.create_topics([NewTopic(request['topic'], request['partitions'], 3)])[request['topic']].result(timeout=TIMEOUT_S)

views = []
for server in servers:
    client = AdminClient({'bootstrap.servers': server})
    deadline = time.time() + TIMEOUT_S
    while True:
        md = client.list_topics(timeout=TIMEOUT_S)
        topic = md.topics.get(request['topic'])
        ready = topic is not None and topic.error is None and len(topic.partitions) == request['partitions'] and all(
            p.leader >= 0 for p in topic.partitions.values())
        if ready or time.time() > deadline:
            break
        time.sleep(0.1)
    views.append({
        'brokers': sorted(md.brokers),
        'controller': md.controller_id,
        'partitions': {str(i): {'leader': p.leader, 'replicas': p.replicas, 'isr': sorted(p.isrs)}
                       for i, p in sorted(topic.partitions.items())} if ready else None,
    })
json.dump(views, sys.stdout)
