package httpx

import (
	"net/http"
	"strconv"
	"sync"
)

// replyBufs holds reply buffers between requests: a list page of 50
// tickets is about 25 KB, which a fresh buffer grows to through several
// copies on every request.
var replyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// keepReply returns a reply buffer to replyBufs, unless it grew past 1 MiB
// (an export, a long page): such a one is left to the collector.
func keepReply(bp *[]byte) {
	if cap(*bp) <= 1<<20 {
		replyBufs.Put(bp)
	}
}

// WriteAppendJSON writes with status the JSON that appendJSON appends to a
// buffer — the hand-written encoders of the hot read paths — with its
// length, in one write. When appendJSON reports it could not write the
// value as encoding/json would, v is written by WriteJSON instead.
func WriteAppendJSON(w http.ResponseWriter, status int, v any, appendJSON func([]byte) ([]byte, bool)) error {
	bp := replyBufs.Get().(*[]byte)
	defer keepReply(bp)
	b, ok := appendJSON((*bp)[:0])
	*bp = b
	if !ok {
		return WriteJSON(w, status, v)
	}
	b = append(b, '\n') // as json.Encoder ends a value
	*bp = b
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	_, err := w.Write(b)
	return err
}

var jsonContentType = []string{"application/json; charset=utf-8"}
