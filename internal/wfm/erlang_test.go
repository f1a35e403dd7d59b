package wfm

import (
	"math"
	"math/big"
	"testing"
)

// directErlangC computes Erlang C by the textbook summation
//
//	C = (Aᴺ/N! · N/(N−A)) / (Σ_{k<N} Aᵏ/k! + Aᴺ/N! · N/(N−A))
//
// in big.Float, independently of the recursion ErlangC uses.
func directErlangC(n int, a float64) float64 {
	const prec = 256
	A := new(big.Float).SetPrec(prec).SetFloat64(a)
	term := new(big.Float).SetPrec(prec).SetInt64(1) // Aᵏ/k!
	sum := new(big.Float).SetPrec(prec)
	for k := 0; k < n; k++ {
		sum.Add(sum, term)
		term.Mul(term, A)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64(k+1)))
	}
	// term is now Aᴺ/N!
	top := new(big.Float).SetPrec(prec).Mul(term, new(big.Float).SetPrec(prec).SetFloat64(float64(n)/(float64(n)-a)))
	den := new(big.Float).SetPrec(prec).Add(sum, top)
	f, _ := new(big.Float).Quo(top, den).Float64()
	return f
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.6f, want %.6f (±%g)", what, got, want, tol)
	}
}

// TestErlangCPublished checks the published values to 4 decimals.
func TestErlangCPublished(t *testing.T) {
	cases := []struct {
		name   string
		n      int
		a      float64
		c      float64
		source string
	}{
		// The classic worked example (Call Centre Helper, "Erlang C formula
		// made simple"; also Koole, "Call center optimization", ch. 5): 100
		// calls per 30 minutes, AHT 180 s → 10 Erlangs; 11 agents → 68.21 %.
		{"A=10 N=11", 11, 10, 0.6821, "worked example"},
		// Erlang C table for A=10: N=12 → 0.4494, N=13 → 0.2853, N=14 → 0.1741.
		{"A=10 N=12", 12, 10, 0.4494, "Erlang C table A=10"},
		{"A=10 N=13", 13, 10, 0.2853, "Erlang C table A=10"},
		{"A=10 N=14", 14, 10, 0.1741, "Erlang C table A=10"},
		// M/M/1: the probability of waiting equals the utilisation ρ
		// (Kleinrock, Queueing Systems vol. 1, §3.2).
		{"M/M/1 rho=0.5", 1, 0.5, 0.5, "M/M/1 closed form"},
		{"M/M/1 rho=0.9", 1, 0.9, 0.9, "M/M/1 closed form"},
		// M/M/2: C = 2ρ²/(1+ρ) with ρ = A/2; for A=1 it is 1/3.
		{"M/M/2 A=1", 2, 1, 1.0 / 3, "M/M/2 closed form"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			near(t, "ErlangC", ErlangC(c.n, c.a), c.c, 0.00005)
		})
	}
}

// TestErlangCAgainstSummation compares the recursion with the big.Float
// summation over a grid, including hundreds of agents where n! overflows a
// float64 (171! > 1.8e308).
func TestErlangCAgainstSummation(t *testing.T) {
	for _, c := range []struct {
		n int
		a float64
	}{{2, 1.5}, {5, 3}, {11, 10}, {20, 15}, {50, 40}, {100, 90}, {250, 240}, {500, 480}, {800, 790.5}} {
		want := directErlangC(c.n, c.a)
		got := ErlangC(c.n, c.a)
		if math.IsNaN(got) || math.Abs(got-want) > 1e-9 {
			t.Errorf("ErlangC(%d, %g) = %.12f, summation %.12f", c.n, c.a, got, want)
		}
	}
}

// TestServiceLevelExample: the worked example's service levels and speeds
// of answer (80 % in 20 s needs 14 agents, 13 give 79.6 %).
func TestServiceLevelExample(t *testing.T) {
	const aht = 180.0
	a := Traffic(100, 1800, aht)
	near(t, "traffic", a, 10, 1e-12)
	for _, c := range []struct {
		n       int
		sl, asa float64
	}{
		// SL = 1 − C·e^{−(N−A)·20/180}; ASA = C·180/(N−A), from the
		// table values above.
		{11, 1 - 0.68209*math.Exp(-20.0/180), 0.68209 * 180},
		{12, 1 - 0.44937*math.Exp(-2*20.0/180), 0.44937 * 180 / 2},
		{13, 1 - 0.28528*math.Exp(-3*20.0/180), 0.28528 * 180 / 3},
		{14, 1 - 0.17411*math.Exp(-4*20.0/180), 0.17411 * 180 / 4},
	} {
		near(t, "SL", ServiceLevel(c.n, a, 20, aht), c.sl, 0.0001)
		near(t, "ASA", ASA(c.n, a, aht), c.asa, 0.01)
	}
	near(t, "SL(11)", ServiceLevel(11, a, 20, aht), 0.3897, 0.0001)
	near(t, "occupancy(14)", Occupancy(14, a), 10.0/14, 1e-12)
	if n := AgentsFor(100, 1800, aht, Target{Level: 0.8, Seconds: 20}); n != 14 {
		t.Errorf("AgentsFor 80/20 = %d, want 14", n)
	}
	if n := AgentsFor(100, 1800, aht, Target{Level: 0.7, Seconds: 20}); n != 13 {
		t.Errorf("AgentsFor 70/20 = %d, want 13", n)
	}
	// An occupancy cap of 70 % forces ⌈10/0.7⌉ = 15 agents.
	if n := AgentsFor(100, 1800, aht, Target{Level: 0.8, Seconds: 20, MaxOccupancy: 0.7}); n != 15 {
		t.Errorf("AgentsFor with occupancy cap = %d, want 15", n)
	}
}

func TestEdges(t *testing.T) {
	cases := []struct {
		name      string
		got, want float64
	}{
		{"N = A waits always", ErlangC(10, 10), 1},
		{"N < A waits always", ErlangC(5, 10), 1},
		{"no traffic never waits", ErlangC(3, 0), 0},
		{"SL with N ≤ A", ServiceLevel(10, 10, 20, 180), 0},
		{"SL without traffic", ServiceLevel(0, 0, 20, 180), 1},
		{"ASA without traffic", ASA(0, 0, 180), 0},
		{"ASA with N ≤ A", ASA(5, 10, 180), math.Inf(1)},
		{"zero volume, zero agents", float64(AgentsFor(0, 1800, 180, Target{Level: 0.8, Seconds: 20})), 0},
		{"zero aht, zero agents", float64(AgentsFor(10, 1800, 0, Target{Level: 0.8, Seconds: 20})), 0},
		{"tiny volume needs one", float64(AgentsFor(0.01, 1800, 180, Target{Level: 0.8, Seconds: 20})), 1},
		{"chat concurrency 3", ChatAHT(600, 3), 200},
		{"chat concurrency 0 is 1", ChatAHT(600, 0), 600},
		{"shrinkage 30 %", float64(Scheduled(14, 0.30)), 20},
		{"shrinkage exact", float64(Scheduled(7, 0.30)), 10},
		{"shrinkage none", float64(Scheduled(14, 0)), 14},
		{"shrinkage of nothing", float64(Scheduled(0, 0.3)), 0},
		{"email 48 mails × 300 s over 4 h", BacklogAgents(48, 1800, 300, 4*3600), 1},
		{"email SLA shorter than interval", BacklogAgents(6, 1800, 300, 60), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
	// Hundreds of agents: finite, between 0 and 1, and a large call
	// centre is found quickly.
	if n := AgentsFor(6000, 1800, 240, Target{Level: 0.8, Seconds: 20}); n < 800 || n > 830 {
		t.Errorf("AgentsFor 800 Erlangs = %d", n)
	}
}

func TestBacklogStaffing(t *testing.T) {
	// 8 mails × 900 s = 2 h of work in the first interval, SLA 2 h = 4
	// intervals: one agent in each of the four.
	got := BacklogStaffing([]float64{8, 0, 0, 0, 0, 0}, 1800, 900, 7200)
	want := []int{1, 1, 1, 1, 0, 0}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("BacklogStaffing = %v, want %v", got, want)
		}
	}
	// Work near the end is squeezed into what remains.
	got = BacklogStaffing([]float64{0, 0, 8}, 1800, 900, 7200)
	if got[2] != 4 {
		t.Errorf("end of horizon = %v, want last 4", got)
	}
}
