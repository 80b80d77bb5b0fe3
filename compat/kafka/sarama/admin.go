// A round of ClusterAdmin calls: topics created (with configs, validate-only, refusals), described,
// listed, grown, configured and deleted, records deleted; each call's answer or Kafka error code goes
// into one JSON object the test compares whole.
package main

import (
	"fmt"
	"sort"

	"github.com/Shopify/sarama"
)

type partitionView struct {
	ID       int32   `json:"id"`
	Err      int16   `json:"err"`
	Leader   int32   `json:"leader"`
	Replicas []int32 `json:"replicas"`
	Isr      []int32 `json:"isr"`
}

type topicView struct {
	Err        int16           `json:"err"`
	Internal   bool            `json:"internal"`
	Partitions []partitionView `json:"partitions"`
}

type configView struct {
	Value   string `json:"value"`
	Default bool   `json:"default"`
	Source  string `json:"source"`
}

func describeTopic(admin sarama.ClusterAdmin, topic string) topicView {
	metadata, err := admin.DescribeTopics([]string{topic})
	must(err, "describe topics")
	if len(metadata) != 1 || metadata[0].Name != topic {
		fail("describe %s answered %d topics", topic, len(metadata))
	}
	t := metadata[0]
	view := topicView{Err: int16(t.Err), Internal: t.IsInternal, Partitions: []partitionView{}}
	for _, p := range t.Partitions {
		view.Partitions = append(view.Partitions, partitionView{p.ID, int16(p.Err), p.Leader, p.Replicas, p.Isr})
	}
	sort.Slice(view.Partitions, func(a, b int) bool { return view.Partitions[a].ID < view.Partitions[b].ID })
	return view
}

func describeConfig(admin sarama.ClusterAdmin, resource sarama.ConfigResourceType, name string, names []string) map[string]configView {
	entries, err := admin.DescribeConfig(sarama.ConfigResource{Type: resource, Name: name, ConfigNames: names})
	must(err, "describe config")
	view := map[string]configView{}
	for _, e := range entries {
		view[e.Name] = configView{e.Value, e.Default, e.Source.String()}
	}
	return view
}

func adminScenario(req request, version sarama.KafkaVersion) map[string]interface{} {
	admin, err := sarama.NewClusterAdmin([]string{req.Bootstrap}, baseConfig(version))
	must(err, "admin")
	defer admin.Close()
	report := map[string]interface{}{}
	a, b := req.Prefix+"a", req.Prefix+"b"
	str := func(s string) *string { return &s }

	brokers, controller, err := admin.DescribeCluster()
	must(err, "describe cluster")
	ids := []int32{}
	for _, broker := range brokers {
		ids = append(ids, broker.ID())
	}
	report["cluster"] = map[string]interface{}{"brokers": ids, "controller": controller}

	detail := &sarama.TopicDetail{NumPartitions: 2, ReplicationFactor: 1, ConfigEntries: map[string]*string{"retention.ms": str("7200000")}}
	report["create"] = errorCode(admin.CreateTopic(a, detail, false))
	report["createExisting"] = errorCode(admin.CreateTopic(a, detail, false))
	report["createInvalidName"] = errorCode(admin.CreateTopic("no spaces allowed", detail, false))
	report["createNoPartitions"] = errorCode(admin.CreateTopic(b, &sarama.TopicDetail{NumPartitions: 0, ReplicationFactor: 1}, false))
	report["validateOnly"] = errorCode(admin.CreateTopic(b, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1}, true))
	report["afterCreate"] = describeTopic(admin, a)
	report["notCreated"] = describeTopic(admin, b).Err

	report["createPartitions"] = errorCode(admin.CreatePartitions(a, 4, nil, false))
	report["createPartitionsFewer"] = errorCode(admin.CreatePartitions(a, 3, nil, false))
	report["afterPartitions"] = describeTopic(admin, a)

	watched := []string{"retention.ms", "cleanup.policy"}
	report["configs"] = describeConfig(admin, sarama.TopicResource, a, watched)
	// AlterConfigs (not the incremental kind) replaces the topic's whole set: retention.ms goes back to
	// its default.
	report["alterConfig"] = errorCode(admin.AlterConfig(sarama.TopicResource, a, map[string]*string{"cleanup.policy": str("compact,delete")}, false))
	report["alterConfigValidateOnly"] = errorCode(admin.AlterConfig(sarama.TopicResource, a, map[string]*string{"cleanup.policy": str("compact")}, true))
	report["afterAlter"] = describeConfig(admin, sarama.TopicResource, a, watched)

	topics, err := admin.ListTopics()
	must(err, "list topics")
	listed := topics[a]
	report["listed"] = map[string]interface{}{"partitions": listed.NumPartitions, "replicationFactor": listed.ReplicationFactor, "cleanup.policy": listed.ConfigEntries["cleanup.policy"]}

	report["deleteRecords"] = deleteRecords(req, version, admin, a)

	report["delete"] = errorCode(admin.DeleteTopic(a))
	report["deleteMissing"] = errorCode(admin.DeleteTopic(a))
	report["afterDelete"] = describeTopic(admin, a).Err
	return report
}

// deleteRecords writes five records to partition 0, deletes those before offset 3, and answers the
// error code and the log start offset ListOffsets gives afterwards.
func deleteRecords(req request, version sarama.KafkaVersion, admin sarama.ClusterAdmin, topic string) map[string]interface{} {
	records := make([]wireRecord, 5)
	for i := range records {
		// Keyed: the topic is compacted by now, which refuses records without keys.
		value := fmt.Sprintf("%02x", i)
		records[i] = wireRecord{Partition: 0, Key: &value, Value: &value}
	}
	produce(req.Bootstrap, version, produceRun{Topic: topic, Partitions: 4, Codec: "none", Records: records})
	code := errorCode(admin.DeleteRecords(topic, map[int32]int64{0: 3}))
	client, err := sarama.NewClient([]string{req.Bootstrap}, baseConfig(version))
	must(err, "client")
	defer client.Close()
	start, err := client.GetOffset(topic, 0, sarama.OffsetOldest)
	must(err, "start offset")
	return map[string]interface{}{"error": code, "logStartOffset": start}
}
