package web

import (
	"github.com/prometheus/client_golang/prometheus"

	chatsvc "github.com/ombud/ombud/internal/chat"
)

// chatCollector exports the stages of visitors' chat messages on their
// way to the agents' consoles (chat.Timings; docs/metrics.md).
type chatCollector struct{ s *Server }

var descChatStage = prometheus.NewDesc("ombud_chat_message_stage_seconds",
	"Time a visitor's chat message spends in each stage on its way to the agents' consoles.", []string{"stage"}, nil)

func (c chatCollector) Describe(ch chan<- *prometheus.Desc) { ch <- descChatStage }

func (c chatCollector) Collect(ch chan<- prometheus.Metric) {
	if c.s.Chat == nil || c.s.Chat.Chat == nil || c.s.Chat.Chat.Timings == nil {
		return
	}
	snap := c.s.Chat.Chat.Timings.Snapshot()
	for _, stage := range chatsvc.Stages {
		h := snap[stage]
		buckets := make(map[float64]uint64, len(chatsvc.TimingBuckets))
		for i, b := range chatsvc.TimingBuckets {
			buckets[b] = h.Counts[i]
		}
		ch <- prometheus.MustNewConstHistogram(descChatStage, h.Count, h.Sum, buckets, stage)
	}
}
