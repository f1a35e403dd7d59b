package app

import (
	"context"

	"github.com/ombud/ombud/internal/channel/phone"
	webphone "github.com/ombud/ombud/internal/web/phone"
	webui "github.com/ombud/ombud/internal/web/ui"
)

// wirePhone builds the phone channel: calls become phone tickets, and
// incoming-call pops go out on the live hub (docs/phone.md).
func (s *System) wirePhone() {
	s.Phone = phone.NewService(s.DB, s.Now, s.Secrets, s.Tickets, s.Customers, s.Live, s.Log.With("component", "phone"))
}

func (s *System) phonePages(ui *webui.UI) (*webphone.UI, error) {
	ui.CallLink = func(number string) string { return s.Phone.CallLink(context.Background(), number) }
	return webphone.New(ui, s.Phone)
}
