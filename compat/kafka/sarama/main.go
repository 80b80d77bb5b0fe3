// The Sarama driver compat/kafka/sarama.test.ts runs: one JSON request on stdin naming a scenario
// ("records", "read", "group", "admin"), one JSON answer on stdout; any failure exits non-zero
// with the reason on stderr. Sarama 1.22 (Debian's golang-github-shopify-sarama-dev) negotiates nothing:
// the request's "version" (a KafkaVersion such as "2.2.0") fixes every API version it sends.
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/Shopify/sarama"
)

type request struct {
	Scenario  string `json:"scenario"`
	Bootstrap string `json:"bootstrap"`
	Version   string `json:"version"`
	// records and read
	Runs []produceRun `json:"runs"`
	// group
	Topic      string `json:"topic"`
	Partitions int32  `json:"partitions"`
	Group      string `json:"group"`
	Strategy   string `json:"strategy"`
	Phases     []int  `json:"phases"`
	// admin
	Prefix string `json:"prefix"`
}

func main() {
	// Sarama logs what it retries and the errors a consumer group does not return (Consumer.Return.Errors
	// is off): on stderr, which the test shows when a run fails.
	sarama.Logger = log.New(os.Stderr, "[sarama] ", log.Lmicroseconds)
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fail("request: %v", err)
	}
	version, err := sarama.ParseKafkaVersion(req.Version)
	if err != nil {
		fail("version: %v", err)
	}
	var answer interface{}
	switch req.Scenario {
	case "records":
		answer = recordsScenario(req, version)
	case "read":
		answer = readScenario(req, version)
	case "group":
		answer = groupScenario(req, version)
	case "admin":
		answer = adminScenario(req, version)
	default:
		fail("unknown scenario %q", req.Scenario)
	}
	if err := json.NewEncoder(os.Stdout).Encode(answer); err != nil {
		fail("answer: %v", err)
	}
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func must(err error, what string) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

// baseConfig is what every scenario shares: the version asked for and short retry backoffs, so a retry
// (a leader not yet elected for a new topic) costs milliseconds rather than Sarama's 100-250 ms defaults.
func baseConfig(version sarama.KafkaVersion) *sarama.Config {
	c := sarama.NewConfig()
	c.Version = version
	c.ClientID = "skein-compat-sarama"
	c.Metadata.Retry.Backoff = 50 * time.Millisecond
	c.Producer.Retry.Backoff = 50 * time.Millisecond
	c.Consumer.Retry.Backoff = 50 * time.Millisecond
	return c
}

// errorCode is the Kafka error code a Sarama error carries (KError, or one wrapped per topic by the admin
// client), so the test compares wire codes; nil is 0, and an error without a code fails the run.
func errorCode(err error) int16 {
	switch e := err.(type) {
	case nil:
		return 0
	case sarama.KError:
		return int16(e)
	case *sarama.TopicError:
		return int16(e.Err)
	case *sarama.TopicPartitionError:
		return int16(e.Err)
	}
	fail("an error with no Kafka error code: %v", err)
	return 0
}

func millis(t time.Time) int64 { return t.UnixNano() / int64(time.Millisecond) }
