package app_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/report"
)

// TestDemoDashboards: the demo a new user starts gives a believable
// manager dashboard — business-hour times below calendar ones, SLA
// attainment per target and goals with a status.
func TestDemoDashboards(t *testing.T) {
	ctx := context.Background()
	c := config.Defaults()
	c.DataDir = t.TempDir()
	sys, err := app.Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	if _, err := sys.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	for {
		n, err := sys.Reports.Refresh(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	now := time.Now()
	f := report.Filter{From: now.AddDate(0, 0, -60), To: now}
	fig, err := sys.Reports.Figures(ctx, authz.System, f)
	if err != nil {
		t.Fatal(err)
	}
	if fig.Created < 500 || fig.Solved < 400 {
		t.Errorf("created %d solved %d in 60 days", fig.Created, fig.Solved)
	}
	if fig.FirstReplyMed == nil || fig.FirstReplyMedBH == nil || *fig.FirstReplyMedBH >= *fig.FirstReplyMed {
		t.Errorf("first reply median %v, business %v: business hours should count less", fig.FirstReplyMed, fig.FirstReplyMedBH)
	}
	if fig.SLAAttainment == nil || *fig.SLAAttainment < 0.5 || *fig.SLAAttainment > 0.999 || len(fig.SLA) < 3 {
		t.Errorf("SLA attainment %v per target %v", fig.SLAAttainment, fig.SLA)
	}
	goals, err := sys.Reports.GoalStatus(ctx, authz.System, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(goals) != 4 {
		t.Fatalf("%d goals, want the demo's 4", len(goals))
	}
	for _, g := range goals {
		if g.Value == nil || g.Met == nil {
			t.Errorf("goal %s has no value", g.Goal.Metric)
		}
	}
}
