package customer

import (
	"fmt"

	"github.com/ombud/ombud/internal/apperr"
)

// Limits on the lists a customer or organization holds. They are checked
// before any element is looked at, so an oversized request costs nothing.
const (
	// MaxIdentities is the most emails, phones and handles one customer has
	// together (a merge may bring two full customers above it; no more are
	// added then).
	MaxIdentities = 50
	// MaxDomains is the most email domains one organization owns.
	MaxDomains = 100
)

// IdentitiesInAll is the message for a customer whose emails, phones and
// handles together are more than MaxIdentities.
var IdentitiesInAll = fmt.Sprintf("at most %d identities in all (emails, phones and handles)", MaxIdentities)

// checkSizes refuses identity lists longer than a customer may hold.
func (in *CustomerInput) checkSizes() error {
	fe := apperr.FieldErrors{}
	fe.MaxItems("emails", len(in.Emails), MaxIdentities)
	fe.MaxItems("phones", len(in.Phones), MaxIdentities)
	fe.MaxItems("handles", len(in.Handles), MaxIdentities)
	if len(fe) == 0 && len(in.Emails)+len(in.Phones)+len(in.Handles) > MaxIdentities {
		for field, n := range map[string]int{"emails": len(in.Emails), "phones": len(in.Phones), "handles": len(in.Handles)} {
			if n > 0 {
				fe.Add(field, IdentitiesInAll)
			}
		}
	}
	return fe.Err()
}
