package message

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// addCorpusSeeds seeds a fuzz target with every corpus message, so a plain
// `go test` runs them all as regression inputs.
func addCorpusSeeds(f *testing.F, add func(raw []byte)) {
	f.Helper()
	for _, path := range corpusFiles(f) {
		raw, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		add(raw)
	}
}

func FuzzParse(f *testing.F) {
	addCorpusSeeds(f, func(raw []byte) { f.Add(raw) })
	f.Fuzz(func(t *testing.T, raw []byte) {
		// A hang is a failure too: the fuzzer itself has no time limit per
		// input, so a watchdog turns one into a crash with the input.
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				panic(fmt.Sprintf("WATCHDOG %q", raw))
			}
		}()
		m, err := Parse(raw)
		if m == nil {
			t.Fatal("Parse returned nil Message")
		}
		if err == nil && !utf8.ValidString(m.Text) {
			t.Fatalf("Text is not valid UTF-8: %q", m.Text)
		}
		if !utf8.ValidString(m.Subject) || !utf8.ValidString(m.HTML) {
			t.Fatalf("Subject or HTML is not valid UTF-8")
		}
		if len(m.Attachments) > MaxAttachments {
			t.Fatalf("%d attachments, limit %d", len(m.Attachments), MaxAttachments)
		}
	})
}

func FuzzExtractReply(f *testing.F) {
	addCorpusSeeds(f, func(raw []byte) {
		f.Add(string(raw))
		if m, _ := Parse(raw); m != nil && m.Text != "" {
			f.Add(m.Text)
		}
	})
	f.Fuzz(func(t *testing.T, text string) {
		out := ExtractReply(text)
		if !utf8.ValidString(out) {
			t.Fatalf("output is not valid UTF-8: %q", out)
		}
		// Invalid input bytes become U+FFFD, so compare with the input
		// after that replacement; otherwise the reply only ever shrinks.
		if limit := len(strings.ToValidUTF8(text, "\uFFFD")); len(out) > limit {
			t.Fatalf("output has %d bytes, input %d", len(out), limit)
		}
	})
}

func FuzzHTML(f *testing.F) {
	addCorpusSeeds(f, func(raw []byte) {
		if m, _ := Parse(raw); m != nil && m.HTML != "" {
			f.Add(m.HTML)
		}
	})
	f.Add("<blockquote type=cite><div>x</div></blockquote><p>after</p>")
	f.Fuzz(func(t *testing.T, src string) {
		if out := HTMLToText(src); !utf8.ValidString(out) {
			t.Fatalf("HTMLToText output is not valid UTF-8: %q", out)
		}
		_ = ExtractReplyHTML(src)
	})
}
