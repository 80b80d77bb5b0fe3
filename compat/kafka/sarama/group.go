// A ConsumerGroup of three members on a multi-partition topic, in three phases whose records are written
// only once the group is settled, so which member reads what never depends on a race:
//  1. three members settle into one generation that covers every partition; records are written and
//     each is read by exactly one member;
//  2. one member leaves (its offsets committed, LeaveGroup); the other two rebalance over all
//     partitions and read the next records;
//  3. all leave; more records are written; a new member of the same group resumes from the committed
//     offsets and reads only those.
//
// Then the admin client describes the group (its one member), lists groups and the committed offsets.
package main

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/Shopify/sarama"
)

type consumed struct {
	Member    int    `json:"member"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
	Value     string `json:"value"`
}

type phase struct {
	// Assignment is each member's partitions in the generation the records were read in.
	Assignment map[int][]int32 `json:"assignment"`
	Consumed   []consumed      `json:"consumed"`
}

type groupResult struct {
	Phases     []phase           `json:"phases"`
	Described  groupDescription  `json:"described"`
	Listed     map[string]string `json:"listed"`
	Committed  map[int32]int64   `json:"committed"`
	EndOffsets map[int32]int64   `json:"endOffsets"`
}

type groupDescription struct {
	State        string   `json:"state"`
	ProtocolType string   `json:"protocolType"`
	Protocol     string   `json:"protocol"`
	ClientIds    []string `json:"clientIds"`
	// Assigned is what the member's assignment (as the coordinator keeps it) gives it of the topic.
	Assigned []int32 `json:"assigned"`
}

// groupState is what the members' handlers report, read by the scenario under the lock.
type groupState struct {
	mu       sync.Mutex
	sessions map[int]session
	consumed []consumed
}

type session struct {
	generation int32
	partitions []int32
}

type handler struct {
	member int
	topic  string
	state  *groupState
}

func (h handler) Setup(s sarama.ConsumerGroupSession) error {
	h.state.mu.Lock()
	defer h.state.mu.Unlock()
	h.state.sessions[h.member] = session{s.GenerationID(), s.Claims()[h.topic]}
	return nil
}

func (h handler) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (h handler) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for m := range claim.Messages() {
		h.state.mu.Lock()
		h.state.consumed = append(h.state.consumed, consumed{h.member, m.Partition, m.Offset, string(m.Value)})
		h.state.mu.Unlock()
		s.MarkMessage(m, "")
	}
	return nil
}

type member struct {
	group  sarama.ConsumerGroup
	cancel context.CancelFunc
	done   chan struct{}
}

func groupConfig(version sarama.KafkaVersion, strategy string, clientID string) *sarama.Config {
	c := baseConfig(version)
	c.ClientID = clientID
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	// Commits every 100 ms, heartbeats every 100 ms: a rebalance is noticed within a heartbeat rather
	// than Sarama's default 3 s. The session timeout is the broker's default minimum.
	c.Consumer.Offsets.CommitInterval = 100 * time.Millisecond
	c.Consumer.Group.Heartbeat.Interval = 100 * time.Millisecond
	c.Consumer.Group.Session.Timeout = 6 * time.Second
	c.Consumer.Group.Rebalance.Retry.Backoff = 50 * time.Millisecond
	switch strategy {
	case "range":
		c.Consumer.Group.Rebalance.Strategy = sarama.BalanceStrategyRange
	case "roundrobin":
		c.Consumer.Group.Rebalance.Strategy = sarama.BalanceStrategyRoundRobin
	default:
		fail("unknown strategy %q", strategy)
	}
	return c
}

// join starts a member that consumes until it is stopped, calling Consume again after each rebalance.
func join(req request, version sarama.KafkaVersion, index int, state *groupState) *member {
	g, err := sarama.NewConsumerGroup([]string{req.Bootstrap}, req.Group, groupConfig(version, req.Strategy, fmt.Sprintf("sarama-member-%d", index)))
	must(err, "consumer group")
	ctx, cancel := context.WithCancel(context.Background())
	m := &member{g, cancel, make(chan struct{})}
	go func() {
		defer close(m.done)
		for ctx.Err() == nil {
			if err := g.Consume(ctx, []string{req.Topic}, handler{index, req.Topic, state}); err != nil && ctx.Err() == nil {
				fail("member %d consume: %v", index, err)
			}
		}
	}()
	return m
}

// leave ends the member's session (a last offset commit) and then its membership (LeaveGroup).
func (m *member) leave() {
	m.cancel()
	<-m.done
	must(m.group.Close(), "consumer group close")
}

const waitLimit = 30 * time.Second

func waitUntil(what string, state *groupState, condition func() bool) {
	deadline := time.Now().Add(waitLimit)
	for {
		state.mu.Lock()
		ok := condition()
		state.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			state.mu.Lock()
			defer state.mu.Unlock()
			fail("no %s within %v; sessions %v", what, waitLimit, state.sessions)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settled waits for the members to be in one generation whose claims cover every partition once, and
// returns each member's partitions.
func settled(state *groupState, members []int, partitions int32) map[int][]int32 {
	var assignment map[int][]int32
	waitUntil("settled generation", state, func() bool {
		assignment = map[int][]int32{}
		covered := map[int32]int{}
		first, ok := state.sessions[members[0]]
		if !ok {
			return false
		}
		for _, i := range members {
			s, ok := state.sessions[i]
			if !ok || s.generation != first.generation {
				return false
			}
			assignment[i] = append([]int32{}, s.partitions...)
			for _, p := range s.partitions {
				covered[p]++
			}
		}
		for p := int32(0); p < partitions; p++ {
			if covered[p] != 1 {
				return false
			}
		}
		return len(covered) == int(partitions)
	})
	for _, ps := range assignment {
		sort.Slice(ps, func(a, b int) bool { return ps[a] < ps[b] })
	}
	return assignment
}

// readPhase writes `count` records (values "<phase>-<i>", spread over the partitions) and waits until
// that many have been read since `from`; it returns what was read.
func readPhase(req request, version sarama.KafkaVersion, state *groupState, phaseIndex int, count int) []consumed {
	state.mu.Lock()
	from := len(state.consumed)
	state.mu.Unlock()
	records := make([]wireRecord, count)
	for i := range records {
		value := fmt.Sprintf("%x", fmt.Sprintf("%d-%d", phaseIndex, i))
		records[i] = wireRecord{Partition: int32(i) % req.Partitions, Value: &value}
	}
	produce(req.Bootstrap, version, produceRun{Topic: req.Topic, Partitions: req.Partitions, Codec: "none", Records: records})
	var read []consumed
	waitUntil(fmt.Sprintf("%d records of phase %d", count, phaseIndex), state, func() bool {
		if len(state.consumed)-from < count {
			return false
		}
		read = append([]consumed{}, state.consumed[from:]...)
		return true
	})
	return read
}

func groupScenario(req request, version sarama.KafkaVersion) groupResult {
	state := &groupState{sessions: map[int]session{}}
	result := groupResult{}

	members := []*member{join(req, version, 0, state), join(req, version, 1, state), join(req, version, 2, state)}
	assignment := settled(state, []int{0, 1, 2}, req.Partitions)
	result.Phases = append(result.Phases, phase{assignment, readPhase(req, version, state, 1, req.Phases[0])})

	members[2].leave()
	assignment = settled(state, []int{0, 1}, req.Partitions)
	result.Phases = append(result.Phases, phase{assignment, readPhase(req, version, state, 2, req.Phases[1])})

	members[0].leave()
	members[1].leave()
	// The newcomer must not count as settled on a session left over from members 0-2.
	state.mu.Lock()
	state.sessions = map[int]session{}
	state.mu.Unlock()
	late := join(req, version, 3, state)
	assignment = settled(state, []int{3}, req.Partitions)
	result.Phases = append(result.Phases, phase{assignment, readPhase(req, version, state, 3, req.Phases[2])})

	admin, err := sarama.NewClusterAdmin([]string{req.Bootstrap}, baseConfig(version))
	must(err, "admin")
	defer admin.Close()
	described, err := admin.DescribeConsumerGroups([]string{req.Group})
	must(err, "describe groups")
	result.Described = describeGroup(described, req.Topic)
	late.leave()

	result.Listed, err = admin.ListConsumerGroups()
	must(err, "list groups")
	partitions := make([]int32, req.Partitions)
	for p := range partitions {
		partitions[p] = int32(p)
	}
	offsets, err := admin.ListConsumerGroupOffsets(req.Group, map[string][]int32{req.Topic: partitions})
	must(err, "list group offsets")
	client, err := sarama.NewClient([]string{req.Bootstrap}, baseConfig(version))
	must(err, "client")
	defer client.Close()
	result.Committed = map[int32]int64{}
	result.EndOffsets = map[int32]int64{}
	for _, p := range partitions {
		block := offsets.GetBlock(req.Topic, p)
		if block == nil {
			fail("no committed offset for partition %d", p)
		}
		if block.Err != sarama.ErrNoError {
			fail("committed offset of partition %d: %v", p, block.Err)
		}
		result.Committed[p] = block.Offset
		result.EndOffsets[p], err = client.GetOffset(req.Topic, p, sarama.OffsetNewest)
		must(err, "end offset")
	}
	return result
}

func describeGroup(described []*sarama.GroupDescription, topic string) groupDescription {
	if len(described) != 1 {
		fail("%d groups described", len(described))
	}
	g := described[0]
	if g.Err != sarama.ErrNoError {
		fail("described group: %v", g.Err)
	}
	d := groupDescription{State: g.State, ProtocolType: g.ProtocolType, Protocol: g.Protocol, ClientIds: []string{}, Assigned: []int32{}}
	for _, m := range g.Members {
		d.ClientIds = append(d.ClientIds, m.ClientId)
		assignment, err := m.GetMemberAssignment()
		must(err, "member assignment")
		d.Assigned = append(d.Assigned, assignment.Topics[topic]...)
	}
	sort.Strings(d.ClientIds)
	sort.Slice(d.Assigned, func(a, b int) bool { return d.Assigned[a] < d.Assigned[b] })
	return d
}
