package email

import (
	"bytes"
	"io"

	"github.com/jhillyerd/enmime/v2"
)

// maxLine is RFC 5322's limit on a line of a message, CRLF excluded.
// Servers refuse longer ones ("line too long").
const maxLine = 998

// quotedPrintable makes the encoder wrap a part's lines.
var quotedPrintable = enmime.NewEncoder(enmime.ForceQuotedPrintableCte(true))

// encodeMail writes a built message. enmime sends ASCII text as 7bit,
// unwrapped, so a plain-ASCII HTML body with a long line (an English
// survey's buttons on one line) would be refused by the receiving server;
// such parts are sent quoted-printable, which wraps them. Other parts
// keep enmime's choice, so most mail reads as plain text on the wire.
func encodeMail(p *enmime.Part, w io.Writer) error {
	forceLongLines(p)
	return p.Encode(w)
}

func forceLongLines(p *enmime.Part) {
	for ; p != nil; p = p.NextSibling {
		if p.FirstChild != nil {
			forceLongLines(p.FirstChild)
		}
		if hasLongLine(p.Content) {
			p.WithEncoder(quotedPrintable)
		}
	}
}

func hasLongLine(b []byte) bool {
	for len(b) > maxLine {
		i := bytes.IndexByte(b, '\n')
		if i < 0 || i > maxLine {
			return true
		}
		b = b[i+1:]
	}
	return false
}
