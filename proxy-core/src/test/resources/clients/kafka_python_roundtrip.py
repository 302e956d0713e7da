"""Produces, consumes in a group and describes the cluster with kafka-python, through the proxy.

Usage: kafka_python_roundtrip.py BOOTSTRAP TOPIC COUNT
Prints one line per fact the test checks: "broker HOST:PORT", "consumed N", "committed OFFSET".
"""
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])

admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="kafka-python-it")
admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
for broker in admin.describe_cluster()["brokers"]:
    print("broker %s:%d" % (broker["host"], broker["port"]))
admin.close()

producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type="gzip")
for i in range(count):
    producer.send(topic, key=str(i).encode(), value=("python-%d" % i).encode())
producer.flush()
producer.close()

consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=topic + "-group",
                         auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=30000)
values = []
for message in consumer:
    values.append(message.value.decode())
    if len(values) >= count:
        break
consumer.commit()
print("consumed %d" % len(set(values)))
print("committed %d" % consumer.committed(TopicPartition(topic, 0)))
consumer.close()
