package message

import (
	"strings"
	"testing"
)

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain", "Hello", "Hello"},
		{"paragraphs", "<p>One</p><p>Two</p>", "One\n\nTwo"},
		{"divs are lines", "<div>One</div><div>Two</div>", "One\nTwo"},
		{"br", "One<br>Two<br/>Three", "One\nTwo\nThree"},
		{"double br is blank line", "One<br><br>Two", "One\n\nTwo"},
		{"whitespace collapses", "<p>  Lots   of\n\n   space  </p>", "Lots of space"},
		{"inline elements keep spaces", "<b>bold</b> <i>italic</i>", "bold italic"},
		{"no space invented between inline", "<b>in</b>line", "inline"},
		{"entities", "Fish &amp; chips &lt;3 &quot;x&quot; caf&eacute; 3&ndash;5", `Fish & chips <3 "x" café 3–5`},
		{"nbsp", "kr&nbsp;899", "kr 899"},
		{"list", "<ul><li>One</li><li>Two</li></ul>", "- One\n- Two"},
		{"ordered list", "<ol><li>One</li><li>Two</li></ol>", "- One\n- Two"},
		{"nested list", "<ul><li>One<ul><li>Sub</li></ul></li></ul>", "- One\n  - Sub"},
		{"link with text", `<a href="https://ombud.example/t/1">ticket</a>`, "ticket (https://ombud.example/t/1)"},
		{"link equal to text", `<a href="https://ombud.example/">https://ombud.example</a>`, "https://ombud.example"},
		{"mailto link", `<a href="mailto:ola@example.no">ola@example.no</a>`, "ola@example.no"},
		{"mailto link with name", `<a href="mailto:ola@example.no?subject=x">Ola</a>`, "Ola (ola@example.no)"},
		{"anchor link", `<a href="#top">Top</a>`, "Top"},
		{"image link without text", `<a href="https://x.example"><img src="a.png"></a>`, ""},
		{"image alt", `<img src="a.png" alt="Logo"> text`, "Logo text"},
		{"script style head dropped", "<html><head><title>T</title><style>p{}</style></head><body><script>x()</script><p>Body</p></body></html>", "Body"},
		{"comments dropped", "A<!-- hidden -->B", "AB"},
		{"headings", "<h1>Title</h1>Text", "Title\n\nText"},
		{"table cells", "<table><tr><td>Sum</td><td>10</td></tr><tr><td>Tax</td><td>2</td></tr></table>", "Sum 10\nTax 2"},
		{"blockquote", "<p>Reply</p><blockquote><p>Old</p><p>Older</p></blockquote>", "Reply\n\n> Old\n>\n> Older"},
		{"nested blockquote", "<blockquote>A<blockquote>B</blockquote></blockquote>", "> A\n>\n>> B"},
		{"pre keeps lines", "<pre>a  b\n  c</pre>", "a  b\n  c"},
		{"hr", "A<hr>B", "A\n---\nB"},
		{"outlook empty paragraphs", `<p class=MsoNormal>Hei<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Ola<o:p></o:p></p>`, "Hei\n\nOla"},
		{"broken markup", "<p>Unclosed <b>bold<div>block", "Unclosed bold\nblock"},
		{"invalid utf8", "caf\xe9", "caf\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HTMLToText(tt.in); got != tt.want {
				t.Errorf("HTMLToText(%q)\n got: %q\nwant: %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHTMLToTextDeepNesting(t *testing.T) {
	in := strings.Repeat("<div><span>", 20000) + "deep" + strings.Repeat("</span></div>", 20000)
	if got := HTMLToText(in); got != "deep" {
		t.Errorf("got %d bytes, want \"deep\"", len(got))
	}
}
