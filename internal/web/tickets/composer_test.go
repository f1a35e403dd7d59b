package tickets

import (
	"testing"

	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/ui"
)

func TestHighlightMentions(t *testing.T) {
	cands := []ticket.MentionCandidate{{ID: 1, Name: "Ann Lee", Email: "ann@example.com"}, {ID: 2, Name: "O'Brien", Email: "ob@example.com"}}
	tests := []struct{ name, in, want string }{
		{"plain", "<p>Hi @Ann Lee, look</p>", `<p>Hi <span class="mention">@Ann Lee</span>, look</p>`},
		{"escaped text stays escaped", "<p>@O&#39;Brien &amp; &lt;b&gt;</p>", `<p><span class="mention">@O&#39;Brien</span> &amp; &lt;b&gt;</p>`},
		{"across a line break", "<p>@Ann<br>Lee @ann@example.com</p>", `<p>@Ann<br>Lee <span class="mention">@ann@example.com</span></p>`},
		{"not inside a link", `<p><a href="https://x.example/@Ann Lee">@Ann Lee</a> @Ann Lee</p>`, `<p><a href="https://x.example/@Ann Lee">@Ann Lee</a> <span class="mention">@Ann Lee</span></p>`},
		{"attributes untouched", `<p title="@Ann Lee">x</p>`, `<p title="@Ann Lee">x</p>`},
		{"no mention", "<p>Nothing</p>", "<p>Nothing</p>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := highlightMentions(tt.in, cands); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestSizeText(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1 KB", 960 << 10: "960 KB", 9 << 20: "9 MB", 25 << 20: "25 MB", 1<<20 + 1<<19: "1.5 MB"} {
		if got := sizeText(n); got != want {
			t.Errorf("sizeText(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestUploadLimits(t *testing.T) {
	for total, want := range map[int64][2]string{
		10 << 20: {"9 MB", "9 MB"}, 1 << 20: {"960 KB", "960 KB"}, 100 << 20: {"25 MB", "99 MB"}, 0: {"24 MB", "24 MB"},
	} {
		u := &UI{UI: &ui.UI{MaxUploadBytes: total}}
		l := u.uploadLimits()
		if l.PerFileText != want[0] || l.TotalText != want[1] || l.PerFile > l.Total {
			t.Errorf("limits for %d: %+v, want %v", total, l, want)
		}
	}
}
