package messaging_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeTelegram is a Bot API server built from the public API's shape:
// POST /bot<token>/getFile, GET /file/bot<token>/<path>, POST
// /bot<token>/sendMessage. It answers only for its token.
type fakeTelegram struct {
	*httptest.Server
	token string
	mu    sync.Mutex
	sent  []map[string]any
	files map[string][]byte // file_id → content; a file id missing here has a path that 404s
	fail  int               // sendMessage answers 500 this many times first
	next  int64
}

func newFakeTelegram(t *testing.T, token string) *fakeTelegram {
	f := &fakeTelegram{token: token, files: map[string][]byte{}, next: 1000}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeTelegram) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	answer := func(status int, v any) {
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"+f.token+"/"); ok {
		f.mu.Lock()
		b, ok := f.files[strings.TrimPrefix(rest, "photos/")]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(b)
		return
	}
	method, ok := strings.CutPrefix(r.URL.Path, "/bot"+f.token+"/")
	if !ok {
		answer(401, map[string]any{"ok": false, "error_code": 401, "description": "Unauthorized"})
		return
	}
	var params map[string]any
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &params); err != nil {
		answer(400, map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: invalid JSON"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch method {
	case "getFile":
		id, _ := params["file_id"].(string)
		answer(200, map[string]any{"ok": true, "result": map[string]any{"file_id": id, "file_unique_id": "u" + id, "file_size": len(f.files[id]), "file_path": "photos/" + id}})
	case "sendMessage":
		if f.fail > 0 {
			f.fail--
			answer(500, map[string]any{"ok": false, "error_code": 500, "description": "Internal Server Error"})
			return
		}
		if params["chat_id"] == nil || params["text"] == "" {
			answer(400, map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: message text is empty"})
			return
		}
		f.sent = append(f.sent, params)
		f.next++
		answer(200, map[string]any{"ok": true, "result": map[string]any{"message_id": f.next, "date": 1, "chat": map[string]any{"id": params["chat_id"], "type": "private"}, "text": params["text"]}})
	default:
		answer(404, map[string]any{"ok": false, "error_code": 404, "description": "Not Found: method not found"})
	}
}

func (f *fakeTelegram) sentMessages() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.sent...)
}
