package chat

import (
	"net/http"

	"github.com/ombud/ombud/internal/web/httpx"
)

// DockState answers GET /chat/dock: the chat dock's offers and active
// chats with their unread counts and waiting state (JSON). The dock on
// every agent page (internal/web/ui dock.html, dock.js) starts from the
// same state rendered by the server and reloads it when the chat stream
// announces a change.
func (u *UI) DockState(w http.ResponseWriter, r *http.Request) error {
	d, err := u.Chat.DockFor(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, d)
}
