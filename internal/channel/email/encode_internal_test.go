package email

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime/v2"
)

// TestEncodeMailWrapsLongLines: a plain-ASCII HTML body on one long line
// (as an English survey's is) goes out with no line over RFC 5322's 998
// characters and reads back the same; short ASCII text stays 7bit.
func TestEncodeMailWrapsLongLines(t *testing.T) {
	html := "<p>" + strings.Repeat(`<a href="https://support.example.com/nps/abc?score=9">9</a> `, 60) + "</p>"
	for _, tc := range []struct {
		name, text, html string
		wantQP           bool
	}{
		{"long ASCII HTML", "How likely are you to recommend us?", html, true},
		{"short ASCII", "Thanks!", "<p>Thanks!</p>", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			part, err := enmime.Builder().From("Support", "support@example.com").To("", "kari@example.com").Subject("Survey").
				Text([]byte(tc.text)).HTML([]byte(tc.html)).Build()
			if err != nil {
				t.Fatal(err)
			}
			var raw bytes.Buffer
			if err := encodeMail(part, &raw); err != nil {
				t.Fatal(err)
			}
			for i, l := range strings.Split(raw.String(), "\r\n") {
				if len(l) > maxLine {
					t.Fatalf("line %d is %d characters", i+1, len(l))
				}
			}
			if got := strings.Contains(raw.String(), "quoted-printable"); got != tc.wantQP {
				t.Errorf("quoted-printable: %v, want %v", got, tc.wantQP)
			}
			env, err := enmime.ReadEnvelope(&raw)
			if err != nil {
				t.Fatal(err)
			}
			if env.HTML != tc.html || strings.TrimSpace(env.Text) != tc.text {
				t.Errorf("read back: %q / %q", env.Text, env.HTML)
			}
		})
	}
}
