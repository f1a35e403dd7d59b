package sla_test

import (
	"context"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/sla"
)

func TestOpenNow(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		oslo, _ := time.LoadLocation("Europe/Oslo")
		monday10 := time.Date(2026, 11, 23, 10, 0, 0, 0, oslo)
		sunday10 := time.Date(2026, 11, 22, 10, 0, 0, 0, oslo)
		if !f.svc.OpenNow(ctx, sunday10) {
			t.Fatal("with no calendar every moment is business time")
		}
		if _, err := f.svc.CreateCalendar(ctx, f.admin, decode[sla.CalendarInput](t, officeJSON)); err != nil {
			t.Fatal(err)
		}
		if !f.svc.OpenNow(ctx, monday10) || f.svc.OpenNow(ctx, sunday10) {
			t.Fatalf("Monday 10:00 open %v, Sunday 10:00 open %v; want true, false", f.svc.OpenNow(ctx, monday10), f.svc.OpenNow(ctx, sunday10))
		}
	})
}
