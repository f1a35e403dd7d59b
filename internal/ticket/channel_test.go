package ticket_test

import (
	"context"
	"testing"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/ticket"
)

// TestEveryChannelStores creates a ticket on each channel the service
// accepts, so a channel added to ticket.Channels without its migration (the
// tickets table checks the value on both engines) fails here.
func TestEveryChannelStores(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		for _, ch := range ticket.Channels {
			tk := newTicket(t, f, "Via "+ch, func(in *ticket.CreateInput) { in.Channel = ch })
			got, err := f.svc.Get(context.Background(), f.agent, tk.ID)
			if err != nil || got.Channel != ch {
				t.Fatalf("%s: got %q (%v)", ch, got.Channel, err)
			}
		}
		// The table still refuses what no channel is.
		err := d.Write(context.Background(), func(tx *db.Tx) error {
			_, err := tx.ExecContext(context.Background(), "UPDATE tickets SET channel = 'pigeon'")
			return err
		})
		if err == nil {
			t.Fatal("the tickets table took channel 'pigeon'")
		}
	})
}
