package httpx

import "net/http"

// streamHold is how much of a streamed answer is held back before the
// status line goes out.
const streamHold = 64 << 10

// Stream is the body of a long answer (CSV and NDJSON exports) whose
// status line is held back until the first 64 KiB are ready or the stream
// ends. Whatever fails while the first rows are fetched (the query itself,
// most often) can then still be answered with its own status and error
// body; only an error after that point cuts a 200 short, and the router
// then logs it instead of appending an error body to the data.
type Stream struct {
	w       http.ResponseWriter
	held    []byte
	started bool
}

// NewStream starts a stream of the given content type; set further headers
// (Content-Disposition) on Header before the first write.
func NewStream(w http.ResponseWriter, contentType string) *Stream {
	w.Header().Set("Content-Type", contentType)
	return &Stream{w: w}
}

// Header is the response's header.
func (s *Stream) Header() http.Header { return s.w.Header() }

// Write holds p back while the stream has not started, and sends it once
// enough is held.
func (s *Stream) Write(p []byte) (int, error) {
	if s.started {
		return s.w.Write(p)
	}
	s.held = append(s.held, p...)
	if len(s.held) >= streamHold {
		if err := s.start(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (s *Stream) start() error {
	s.started = true
	s.w.WriteHeader(http.StatusOK)
	_, err := s.w.Write(s.held)
	s.held = nil
	return err
}

// Close ends the stream with the error that stopped it (nil when it ran to
// the end) and returns that error for the handler to return. When nothing
// was sent yet, the held rows and the stream's headers are dropped, so the
// router can answer the error with its own status.
func (s *Stream) Close(err error) error {
	if err == nil {
		if !s.started {
			return s.start()
		}
		return nil
	}
	if !s.started {
		s.held = nil
		h := s.w.Header()
		h.Del("Content-Disposition")
		h.Del("Content-Type")
	}
	return err
}

// Started reports whether the status line went out.
func (s *Stream) Started() bool { return s.started }
