// Package wfm is the mathematical core of workforce management: a volume
// forecast per channel and 30-minute interval, and the staff each interval
// needs (Erlang C for phone and chat, a backlog model for email, shrinkage).
package wfm

import (
	"math"
)

// ErlangC is the probability that a contact waits (Erlang C formula) with
// n agents and a offered traffic in Erlangs (arrival rate × handle time).
// With n ≤ a the queue grows without bound and every contact waits: 1.
//
// It uses the Erlang B recursion B(0)=1, B(k)=a·B(k−1)/(k+a·B(k−1)) and
// C = B/(1 − (a/n)(1 − B)), which needs no factorials or powers and stays
// exact to rounding for thousands of agents.
func ErlangC(n int, a float64) float64 {
	if a <= 0 {
		return 0
	}
	if float64(n) <= a {
		return 1
	}
	b := 1.0
	for k := 1; k <= n; k++ {
		b = a * b / (float64(k) + a*b)
	}
	rho := a / float64(n)
	return b / (1 - rho*(1-b))
}

// ServiceLevel is the share of contacts answered within t seconds:
// 1 − C·e^{−(n−a)·t/aht}. Zero traffic answers everything at once.
func ServiceLevel(n int, a, t, aht float64) float64 {
	if a <= 0 {
		return 1
	}
	if float64(n) <= a || aht <= 0 {
		return 0
	}
	sl := 1 - ErlangC(n, a)*math.Exp(-(float64(n)-a)*t/aht)
	return math.Max(0, sl)
}

// ASA is the average speed of answer in seconds: C·aht/(n − a). With
// n ≤ a it is unbounded (+Inf).
func ASA(n int, a, aht float64) float64 {
	if a <= 0 {
		return 0
	}
	if float64(n) <= a {
		return math.Inf(1)
	}
	return ErlangC(n, a) * aht / (float64(n) - a)
}

// Occupancy is the share of the agents' time spent handling contacts: a/n,
// at most 1.
func Occupancy(n int, a float64) float64 {
	if n <= 0 {
		return 0
	}
	return math.Min(1, a/float64(n))
}

// Traffic is the offered load in Erlangs of volume contacts arriving in an
// interval of intervalSec seconds, each taking aht seconds.
func Traffic(volume, intervalSec, aht float64) float64 {
	if volume <= 0 || intervalSec <= 0 || aht <= 0 {
		return 0
	}
	return volume * aht / intervalSec
}

// Target is a service-level goal for a queue answered live (phone, chat).
type Target struct {
	Level        float64 // share answered within Seconds, e.g. 0.8
	Seconds      float64 // e.g. 20
	MaxOccupancy float64 // e.g. 0.85; 0 or ≥1 means no cap
}

// maxAgents bounds the search in AgentsFor: beyond this an interval is
// not a staffing question but an input mistake.
const maxAgents = 100000

// AgentsFor is the smallest number of agents that meets the target for
// volume contacts in an interval of intervalSec seconds with average handle
// time aht seconds: service level at least target.Level within
// target.Seconds, and occupancy at most target.MaxOccupancy. Zero volume
// needs no agents.
func AgentsFor(volume, intervalSec, aht float64, target Target) int {
	a := Traffic(volume, intervalSec, aht)
	if a <= 0 {
		return 0
	}
	n := int(math.Floor(a)) + 1
	if m := target.MaxOccupancy; m > 0 && m < 1 {
		n = max(n, int(math.Ceil(a/m-1e-9)))
	}
	for ; n < maxAgents; n++ {
		if ServiceLevel(n, a, target.Seconds, aht) >= target.Level {
			return n
		}
	}
	return maxAgents
}

// ChatAHT is the effective handle time of a chat when each agent holds
// concurrency chats at once: aht/concurrency. This is an approximation: it
// treats an agent with k parallel chats as k independent servers, which
// ignores that chats slow each other down (the measured aht should come from
// concurrent work) and that a chat only waits while all k slots are taken.
func ChatAHT(aht float64, concurrency int) float64 {
	if concurrency <= 1 {
		return aht
	}
	return aht / float64(concurrency)
}

// Scheduled is the number of agents to schedule so that required are
// available after shrinkage (the share of paid time lost to breaks,
// meetings, training and absence): ⌈required/(1 − shrinkage)⌉.
func Scheduled(required int, shrinkage float64) int {
	if required <= 0 {
		return 0
	}
	if shrinkage <= 0 {
		return required
	}
	if shrinkage >= 0.95 {
		shrinkage = 0.95 // a cap: at 100 % no number of agents is enough
	}
	return int(math.Ceil(float64(required)/(1-shrinkage) - 1e-9))
}

// BacklogAgents is the email (deferred work) model: contacts need not be
// answered at once, only within the SLA window of slaSec seconds. The work
// an interval brings, volume × aht seconds, is spread over the whole window,
// so the interval needs volume·aht/slaSec agents (as a fraction; the caller
// sums over the window and rounds up). It assumes the work can be done any
// time within the window and agents are fully occupied with it; a window
// shorter than the interval behaves like the interval (work done in-interval).
func BacklogAgents(volume, intervalSec, aht, slaSec float64) float64 {
	if volume <= 0 || aht <= 0 || intervalSec <= 0 {
		return 0
	}
	window := math.Max(slaSec, intervalSec)
	return volume * aht / window
}

// BacklogStaffing turns per-interval email volumes into agents per interval
// so that every interval's mail is answered within slaSec: the work arriving
// in interval i is spread evenly over the intervals [i, i+w) where w is the
// window in intervals, and each interval needs ⌈load⌉ agents. Work whose
// window runs past the end of the series is spread over the remaining part
// (rather than being dropped), which is conservative at the horizon's end.
func BacklogStaffing(volumes []float64, intervalSec, aht, slaSec float64) []int {
	out := make([]int, len(volumes))
	if intervalSec <= 0 || aht <= 0 {
		return out
	}
	w := max(1, int(math.Round(math.Max(slaSec, intervalSec)/intervalSec)))
	load := make([]float64, len(volumes))
	for i, v := range volumes {
		if v <= 0 {
			continue
		}
		span := min(w, len(volumes)-i)
		per := v * aht / intervalSec / float64(span)
		for j := i; j < i+span; j++ {
			load[j] += per
		}
	}
	for i, l := range load {
		if l > 1e-9 {
			out[i] = int(math.Ceil(l - 1e-9))
		}
	}
	return out
}
