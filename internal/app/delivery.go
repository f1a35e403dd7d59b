package app

import (
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/live"
)

// wireDelivery tells open pages when a reply's delivery state changes (its
// message shows Sending…, Sent, Not delivered …), and the agent the email
// channel notified of a reply that was not delivered, at once.
func (s *System) wireDelivery() {
	s.Email.SetDeliveryListener(func(c email.DeliveryChange) {
		s.Live.Publish(live.Event{Kind: live.KindTicket, TicketID: c.TicketID, Types: []string{"delivery"}})
		if c.Notify != 0 {
			s.Live.Publish(live.Event{Kind: live.KindNotice, TicketID: c.TicketID, AgentID: c.Notify, Types: []string{"delivery_failed"}})
		}
	})
}
