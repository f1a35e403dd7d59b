package httpx

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

func TestPeekMultipartField(t *testing.T) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", "tok123")
	_ = mw.WriteField("body", "hello")
	fw, _ := mw.CreateFormFile("attachments", "big.bin")
	_, _ = fw.Write(bytes.Repeat([]byte("x"), 200<<10))
	_ = mw.Close()
	raw := body.Bytes()

	r, _ := http.NewRequest("POST", "/", bytes.NewReader(raw))
	r.Header.Set("Content-Type", mw.FormDataContentType())
	if got := PeekMultipartField(r, "csrf_token"); got != "tok123" {
		t.Fatalf("csrf_token = %q", got)
	}
	if got := PeekMultipartField(r, "body"); got != "hello" {
		t.Fatalf("body = %q", got)
	}
	// The body is whole again for the handler.
	rest, err := io.ReadAll(r.Body)
	if err != nil || !bytes.Equal(rest, raw) {
		t.Fatalf("body after peeking: %d bytes of %d, %v", len(rest), len(raw), err)
	}
	if got := PeekMultipartField(r, "missing"); got != "" {
		t.Fatalf("missing field = %q", got)
	}

	// Not multipart, or broken: nothing, body untouched.
	r, _ = http.NewRequest("POST", "/", strings.NewReader("csrf_token=x"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if got := PeekMultipartField(r, "csrf_token"); got != "" {
		t.Fatalf("urlencoded: %q", got)
	}
	r, _ = http.NewRequest("POST", "/", strings.NewReader("garbage"))
	r.Header.Set("Content-Type", "multipart/form-data; boundary=zzz")
	if got := PeekMultipartField(r, "csrf_token"); got != "" {
		t.Fatalf("garbage: %q", got)
	}
	if b, _ := io.ReadAll(r.Body); string(b) != "garbage" {
		t.Fatalf("garbage body after peeking: %q", b)
	}
}
