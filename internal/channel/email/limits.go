package email

import "github.com/ombud/ombud/internal/apperr"

// MaxAliases is the most alias addresses one mailbox has.
const MaxAliases = 50

// checkSizes refuses an oversized alias list before anything else is done
// with the input (sealing passwords, the write transaction, each alias's
// lookup).
func (in MailboxInput) checkSizes() error {
	fe := apperr.FieldErrors{}
	if in.Aliases != nil {
		fe.MaxItems("aliases", len(*in.Aliases), MaxAliases)
	}
	return fe.Err()
}
