// Produce and consume round trips: a SyncProducer (acks=all, a codec, optionally idempotent) sends the
// test's records to the partitions they name, and a plain Consumer reads every partition back from the
// oldest offset to the high watermark. Bytes travel as hex, null as null (compat/helpers/records.ts).
package main

import (
	"encoding/hex"
	"time"

	"github.com/Shopify/sarama"
)

type wireRecord struct {
	Partition int32       `json:"partition"`
	Offset    *int64      `json:"offset,omitempty"`
	Key       *string     `json:"key"`
	Value     *string     `json:"value"`
	Headers   [][]*string `json:"headers"`
	Timestamp int64       `json:"timestamp"`
}

type produceRun struct {
	Topic      string       `json:"topic"`
	Partitions int32        `json:"partitions"`
	Codec      string       `json:"codec"`
	Idempotent bool         `json:"idempotent"`
	Records    []wireRecord `json:"records"`
	// Times are [partition, timestamp] queries for the first offset at or after a time.
	Times [][2]int64 `json:"times"`
}

type delivery struct {
	Partition int32 `json:"partition"`
	Offset    int64 `json:"offset"`
	Timestamp int64 `json:"timestamp"`
}

type runResult struct {
	Deliveries []delivery   `json:"deliveries"`
	Reads      []wireRecord `json:"reads"`
	// Times answers the run's queries in order: an offset, or -1 past the last record.
	Times []int64 `json:"times"`
}

var codecs = map[string]sarama.CompressionCodec{
	"none":   sarama.CompressionNone,
	"gzip":   sarama.CompressionGZIP,
	"snappy": sarama.CompressionSnappy,
	"lz4":    sarama.CompressionLZ4,
	"zstd":   sarama.CompressionZSTD,
}

func recordsScenario(req request, version sarama.KafkaVersion) []runResult {
	results := make([]runResult, 0, len(req.Runs))
	for _, run := range req.Runs {
		deliveries := produce(req.Bootstrap, version, run)
		reads := consumeAll(req.Bootstrap, version, run.Topic, run.Partitions, sarama.ReadUncommitted)
		results = append(results, runResult{deliveries, reads, offsetsForTimes(req.Bootstrap, version, run.Topic, run.Times)})
	}
	return results
}

func unhex(s *string, what string) []byte {
	if s == nil {
		return nil
	}
	b, err := hex.DecodeString(*s)
	must(err, what)
	// A non-nil empty slice: Sarama writes nil as a null key/value and an empty slice as an empty one.
	if b == nil {
		b = []byte{}
	}
	return b
}

func enhex(b []byte) *string {
	if b == nil {
		return nil
	}
	s := hex.EncodeToString(b)
	return &s
}

func produce(bootstrap string, version sarama.KafkaVersion, run produceRun) []delivery {
	c := baseConfig(version)
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Return.Successes = true
	c.Producer.Partitioner = sarama.NewManualPartitioner
	c.Producer.Compression = codecs[run.Codec]
	// Batches of several records, so the codec compresses more than one record at a time.
	c.Producer.Flush.Messages = 50
	c.Producer.Flush.Frequency = 10 * time.Millisecond
	if run.Idempotent {
		c.Producer.Idempotent = true
		c.Net.MaxOpenRequests = 1
	}
	producer, err := sarama.NewSyncProducer([]string{bootstrap}, c)
	must(err, "producer")
	messages := make([]*sarama.ProducerMessage, len(run.Records))
	for i, r := range run.Records {
		m := &sarama.ProducerMessage{Topic: run.Topic, Partition: r.Partition, Timestamp: time.Unix(0, r.Timestamp*int64(time.Millisecond))}
		// A nil Encoder is a null key or value; ByteEncoder(nil) would be one too, so only set non-null ones.
		if r.Key != nil {
			m.Key = sarama.ByteEncoder(unhex(r.Key, "key"))
		}
		if r.Value != nil {
			m.Value = sarama.ByteEncoder(unhex(r.Value, "value"))
		}
		for _, h := range r.Headers {
			m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte(*h[0]), Value: unhex(h[1], "header")})
		}
		messages[i] = m
	}
	if err := producer.SendMessages(messages); err != nil {
		if errs, ok := err.(sarama.ProducerErrors); ok {
			fail("send: %d failed, the first to partition %d: %v", len(errs), errs[0].Msg.Partition, errs[0].Err)
		}
		fail("send: %v", err)
	}
	must(producer.Close(), "producer close")
	deliveries := make([]delivery, len(messages))
	for i, m := range messages {
		deliveries[i] = delivery{m.Partition, m.Offset, millis(m.Timestamp)}
	}
	return deliveries
}

// consumeAll reads each partition from its oldest offset up to the high watermark ListOffsets gives
// before reading, so it knows when it is done without waiting for silence.
func consumeAll(bootstrap string, version sarama.KafkaVersion, topic string, partitions int32, isolation sarama.IsolationLevel) []wireRecord {
	c := baseConfig(version)
	c.Consumer.IsolationLevel = isolation
	// Closing a partition consumer waits for its fetch in flight, a long poll at the end of the data: a
	// short one keeps that wait from adding 250 ms (Sarama's default) per partition.
	c.Consumer.MaxWaitTime = 20 * time.Millisecond
	client, err := sarama.NewClient([]string{bootstrap}, c)
	must(err, "client")
	defer client.Close()
	consumer, err := sarama.NewConsumerFromClient(client)
	must(err, "consumer")
	defer consumer.Close()
	reads := []wireRecord{}
	for p := int32(0); p < partitions; p++ {
		// Sarama asks ListOffsets v1, which has no isolation level: the end is the high watermark, so a
		// read_committed test ends each partition with a record outside any transaction.
		end, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		must(err, "end offset")
		if end == 0 {
			continue
		}
		pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
		must(err, "consume partition")
		for m := range pc.Messages() {
			reads = append(reads, readOf(m))
			if m.Offset >= end-1 {
				break
			}
		}
		must(pc.Close(), "partition consumer close")
	}
	return reads
}

func readOf(m *sarama.ConsumerMessage) wireRecord {
	offset := m.Offset
	headers := [][]*string{}
	for _, h := range m.Headers {
		name := string(h.Key)
		headers = append(headers, []*string{&name, enhex(h.Value)})
	}
	return wireRecord{Partition: m.Partition, Offset: &offset, Key: enhex(m.Key), Value: enhex(m.Value), Headers: headers, Timestamp: millis(m.Timestamp)}
}

// readScenario reads each run's topic, written by another client, at both isolation levels; the records
// a run carries are not used.
func readScenario(req request, version sarama.KafkaVersion) []map[string][]wireRecord {
	results := []map[string][]wireRecord{}
	for _, run := range req.Runs {
		results = append(results, map[string][]wireRecord{
			"committed":   consumeAll(req.Bootstrap, version, run.Topic, run.Partitions, sarama.ReadCommitted),
			"uncommitted": consumeAll(req.Bootstrap, version, run.Topic, run.Partitions, sarama.ReadUncommitted),
		})
	}
	return results
}

// offsetsForTimes asks ListOffsets (v1) for each [partition, timestamp], as Client.GetOffset does with a
// time in milliseconds.
func offsetsForTimes(bootstrap string, version sarama.KafkaVersion, topic string, queries [][2]int64) []int64 {
	client, err := sarama.NewClient([]string{bootstrap}, baseConfig(version))
	must(err, "client")
	defer client.Close()
	answers := []int64{}
	for _, q := range queries {
		offset, err := client.GetOffset(topic, int32(q[0]), q[1])
		must(err, "offset for time")
		answers = append(answers, offset)
	}
	return answers
}
