"""kafka-python, the client of the classic Python system, as a peer of the stream benchmark.

It does the work kafkajs does in src/bench/stream-cluster.ts, in a process of its own (timed as a
whole, like kcat):

  produce  the first N lines of the benchmark's keyed file (key<TAB>line), key = client IP, value
           = the line's bytes as read; kafka-python's default partitioner is Java's murmur2, the
           one kafkajs and kcat use, so every line lands on the same partition on all three.
  consume  N messages of the topic as a new group from the beginning, values left as bytes,
           committing what was handled after every poll of up to 10,000, as the kafkajs side
           does through runConsumer.

Settings chosen to match the kafkajs producer (src/stream/kafka-broker.ts):
  acks=all, idempotent, one request in flight per broker (kafkajs's idempotent producer holds
  one), no compression unless asked; linger 0 (kafkajs sends what it is given at once) and
  batch_size 48 KiB a partition, so a request carries about 1,000 lines over 6 partitions, as the
  kafkajs row with batches of 1,000 does.
The consumer keeps kafka-python's fetch defaults, which equal kafkajs's (500 ms wait, 1 byte
minimum, 1 MiB a partition), and reads committed records only, as kafkajs does by default.

Prints one JSON line on stdout: {"messages": n, "seconds": s}. Exits 1 with one line on stderr
when a message fails or the count is not reached in time.

  python kafka_python_peer.py produce BROKERS TOPIC FILE COUNT [none|gzip]
  python kafka_python_peer.py consume BROKERS TOPIC GROUP COUNT [TIMEOUT_S]
"""

import json
import sys
import time

from kafka import KafkaConsumer, KafkaProducer

CHUNK = 1 << 20  # read the file in 1 MiB chunks, as the kafkajs side does
POLL_RECORDS = 10_000
BATCH_BYTES = 48 * 1024


def fail(message):
    sys.stderr.write(f"kafka_python_peer: {message}\n")
    sys.exit(1)


def keyed_lines(path, limit):
    """(key, value) byte slices of the first `limit` lines of a key<TAB>line file."""
    taken = 0
    rest = b""
    with open(path, "rb") as f:
        while taken < limit:
            chunk = f.read(CHUNK)
            if not chunk:
                break
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            for line in lines:
                key, tab, value = line.partition(b"\t")
                yield (key, value) if tab else (None, line)
                taken += 1
                if taken == limit:
                    return


def produce(brokers, topic, path, count, codec="none"):
    producer = KafkaProducer(
        bootstrap_servers=brokers.split(","),
        client_id="loglab-bench-kafka-python",
        acks="all",
        enable_idempotence=True,
        max_in_flight_requests_per_connection=1,
        linger_ms=0,
        batch_size=BATCH_BYTES,
        compression_type=None if codec == "none" else codec,
    )
    errors = []
    start = time.perf_counter()
    sent = 0
    for key, value in keyed_lines(path, count):
        # A failed send is counted through its future; a callback per message costs little.
        producer.send(topic, key=key, value=value).add_errback(errors.append)
        sent += 1
    producer.flush()
    seconds = time.perf_counter() - start
    producer.close()
    if errors:
        fail(f"{len(errors)} of {sent} messages failed: {errors[0]}")
    if sent != count:
        fail(f"the file has {sent} lines, {count} were asked for")
    return {"messages": sent, "seconds": seconds}


def consume(brokers, topic, group, count, timeout_s=300.0):
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=brokers.split(","),
        client_id="loglab-bench-kafka-python",
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    seen = 0
    start = time.perf_counter()
    deadline = time.monotonic() + timeout_s
    try:
        while seen < count:
            if time.monotonic() > deadline:
                fail(f"consumed {seen} of {count} messages in {timeout_s:g} s")
            polled = consumer.poll(timeout_ms=500, max_records=min(POLL_RECORDS, count - seen))
            if not polled:
                continue
            for records in polled.values():
                seen += len(records)
            consumer.commit()  # synchronous: the offsets of what this poll returned
        seconds = time.perf_counter() - start
    finally:
        consumer.close(autocommit=False)
    return {"messages": seen, "seconds": seconds}


def main(argv):
    if len(argv) >= 6 and argv[1] == "produce":
        result = produce(argv[2], argv[3], argv[4], int(argv[5]), *argv[6:7])
    elif len(argv) >= 6 and argv[1] == "consume":
        result = consume(argv[2], argv[3], argv[4], int(argv[5]), *map(float, argv[6:7]))
    else:
        fail("usage: produce BROKERS TOPIC FILE COUNT [none|gzip] | consume BROKERS TOPIC GROUP COUNT [TIMEOUT_S]")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
