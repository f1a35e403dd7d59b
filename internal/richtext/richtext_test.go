package richtext

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	s := New()
	tests := []struct {
		name, in        string
		mustNot, mustIn []string
	}{
		{"script", `<p>hi</p><script>alert(1)</script>`, []string{"script", "alert"}, []string{"<p>hi</p>"}},
		{"handler", `<img src="https://x/a.png" onerror="alert(1)">`, []string{"onerror"}, []string{"https://x/a.png"}},
		{"js link", `<a href="javascript:alert(1)">x</a>`, []string{"javascript"}, nil},
		{"link", `<a href="https://ombud.test">x</a>`, nil, []string{`rel="nofollow noopener"`, `target="_blank"`}},
		{"cid", `<img src="cid:logo@x">`, nil, []string{`cid:logo@x`}},
		{"style tag", `<style>body{}</style><b>b</b>`, []string{"<style"}, []string{"<b>b</b>"}},
		{"iframe", `<iframe src="https://evil"></iframe>ok`, []string{"iframe"}, []string{"ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Sanitize(tt.in)
			for _, m := range tt.mustNot {
				if strings.Contains(got, m) {
					t.Errorf("Sanitize(%q) = %q, contains %q", tt.in, got, m)
				}
			}
			for _, m := range tt.mustIn {
				if !strings.Contains(got, m) {
					t.Errorf("Sanitize(%q) = %q, lacks %q", tt.in, got, m)
				}
			}
		})
	}
}

func TestToText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<p>Hei</p><p>Takk for sist</p>`, "Hei\n\nTakk for sist"},
		{`Line<br>two`, "Line\ntwo"},
		{`<ul><li>a</li><li>b</li></ul>`, "- a\n- b"},
		{`<style>x{}</style><div>body</div>`, "body"},
		{`<a href="https://ombud.test/x">here</a>`, "here (https://ombud.test/x)"},
		{`&lt;tag&gt; &amp; æøå`, "<tag> & æøå"},
		{`<p>Open the <strong>tracking</strong> page, <em>then</em> wait</p>`, "Open the tracking page, then wait"},
		{`a <b>b</b><i> c</i>`, "a b c"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := ToText(tt.in); got != tt.want {
				t.Fatalf("ToText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFromText(t *testing.T) {
	got := FromText("Hi <there>\nline two\n\nnew para")
	want := "<p>Hi &lt;there&gt;<br>line two</p>\n<p>new para</p>"
	if got != want {
		t.Fatalf("FromText = %q, want %q", got, want)
	}
}

// FuzzSanitize checks the sanitiser never lets a script element or an event
// handler through and never panics.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{`<p>x</p>`, `<script>alert(1)</script>`, `<img src=x onerror=alert(1)>`, `<a href="javascript:x">`, `<<script>script>`} {
		f.Add(s)
	}
	s := New()
	f.Fuzz(func(t *testing.T, in string) {
		out := strings.ToLower(s.Sanitize(in))
		if strings.Contains(out, "<script") || strings.Contains(out, "javascript:") || strings.Contains(out, " onerror=") {
			t.Fatalf("unsafe output %q for %q", out, in)
		}
		_ = ToText(in)
	})
}
