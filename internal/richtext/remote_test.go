package richtext_test

import (
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"

	"github.com/ombud/ombud/internal/richtext"
)

func TestHideRemoteImages(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   string
		hidden int
	}{
		{"tracking pixel", `<p>Hei</p><img src="https://t.example/p.gif" width="1" height="1">`,
			`<p>Hei</p><img data-src="https://t.example/p.gif" width="1" height="1" class="remote-hidden">`, 1},
		{"plain http", `<img src="http://t.example/p.gif" alt="Logo">`, `<img data-src="http://t.example/p.gif" alt="Logo" class="remote-hidden">`, 1},
		{"protocol-relative", `<img src="//t.example/p.gif">`, `<img data-src="//t.example/p.gif" class="remote-hidden">`, 1},
		{"backslashes a browser reads as //", `<img src="/\t.example/p.gif">`, `<img data-src="/\t.example/p.gif" class="remote-hidden">`, 1},
		{"tab inside the scheme", "<img src=\"ht\ttps://t.example/p.gif\">", "<img data-src=\"ht\ttps://t.example/p.gif\" class=\"remote-hidden\">", 1},
		{"upper-case scheme and spaces", `<img src="  HTTPS://t.example/p.gif ">`, `<img data-src="  HTTPS://t.example/p.gif " class="remote-hidden">`, 1},
		{"srcset", `<img srcset="https://t.example/a.png 1x, /api/v1/attachments/3 2x" src="/api/v1/attachments/3">`,
			`<img data-srcset="https://t.example/a.png 1x, /api/v1/attachments/3 2x" src="/api/v1/attachments/3" class="remote-hidden">`, 1},
		{"background attribute", `<table background="https://t.example/bg.png"><tr><td>x</td></tr></table>`,
			`<table data-background="https://t.example/bg.png" class="remote-hidden"><tr><td>x</td></tr></table>`, 1},
		{"poster", `<video poster="https://t.example/v.png"></video>`, `<video data-poster="https://t.example/v.png" class="remote-hidden"></video>`, 1},
		{"css url", `<div style="color: red; background-image: url(https://t.example/bg.png); font-weight: bold">x</div>`,
			`<div style="color: red; font-weight: bold" class="remote-hidden">x</div>`, 1},
		{"css url escaped", `<div style="background: u\72l(https://t.example/bg.png)">x</div>`, `<div class="remote-hidden">x</div>`, 1},
		{"css image-set", `<div style="background-image: image-set('https://t.example/a.png' 1x)">x</div>`, `<div class="remote-hidden">x</div>`, 1},
		{"existing class kept", `<img class="logo" src="https://t.example/l.png">`, `<img class="logo remote-hidden" data-src="https://t.example/l.png">`, 1},
		{"several", `<img src="https://a.example/1.png"><img src="https://b.example/2.png">`,
			`<img data-src="https://a.example/1.png" class="remote-hidden"><img data-src="https://b.example/2.png" class="remote-hidden">`, 2},

		// left alone: inline images, our own addresses, links, colours
		{"stored attachment (cid: rewritten)", `<img src="/api/v1/attachments/7" alt="chart">`, `<img src="/api/v1/attachments/7" alt="chart">`, 0},
		{"unresolved cid", `<img src="cid:part1@x">`, `<img src="cid:part1@x">`, 0},
		{"data URI", `<img src="data:image/png;base64,iVBORw0KGgo=">`, `<img src="data:image/png;base64,iVBORw0KGgo=">`, 0},
		{"relative", `<img src="logo.png">`, `<img src="logo.png">`, 0},
		{"link", `<a href="https://x.example/" rel="nofollow">x &amp; y</a>`, `<a href="https://x.example/" rel="nofollow">x &amp; y</a>`, 0},
		{"rgb colour", `<span style="color: rgb(1, 2, 3)">x</span>`, `<span style="color: rgb(1, 2, 3)">x</span>`, 0},
		{"text mentioning a URL", `<p>see https://t.example/p.gif</p>`, `<p>see https://t.example/p.gif</p>`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n := richtext.HideRemoteImages(tt.in)
			if got != tt.want || n != tt.hidden {
				t.Errorf("HideRemoteImages(%q)\n got %q (%d hidden)\nwant %q (%d hidden)", tt.in, got, n, tt.want, tt.hidden)
			}
		})
	}
}

// FuzzHideRemoteImages: whatever the input, no attribute a browser would
// fetch an image from names a remote address afterwards, and nothing
// that was local is reported hidden.
func FuzzHideRemoteImages(f *testing.F) {
	for _, s := range []string{`<img src="https://t.example/p.gif">`, `<img srcset="//x/a 1x">`, `<div style="background:url(http://x/)">`,
		`<img src="/api/v1/attachments/1">`, `<td background="https://x/">`, `<img src=x onerror=alert(1)>`} {
		f.Add(s)
	}
	s := richtext.New()
	f.Fuzz(func(t *testing.T, in string) {
		out, _ := richtext.HideRemoteImages(s.Sanitize(in))
		z := xhtml.NewTokenizer(strings.NewReader(out))
		for {
			tt := z.Next()
			if tt == xhtml.ErrorToken {
				return
			}
			if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
				continue
			}
			for _, a := range z.Token().Attr {
				switch a.Key {
				case "src", "srcset", "background", "poster", "lowsrc", "dynsrc":
					if richtext.RemoteURL(a.Val) || (a.Key == "srcset" && strings.Contains(a.Val, "//")) {
						t.Fatalf("remote %s=%q left in %q (from %q)", a.Key, a.Val, out, in)
					}
				case "style":
					if v := strings.ToLower(a.Val); strings.Contains(v, "url(") || strings.Contains(v, `\`) {
						t.Fatalf("style %q left in %q", a.Val, out)
					}
				}
			}
		}
	})
}
