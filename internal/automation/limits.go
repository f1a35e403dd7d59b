package automation

import "github.com/ombud/ombud/internal/apperr"

// MaxRules is the most ids one reorder lists. A reorder names every rule of
// its kind, and every trigger is evaluated on every ticket change, so a
// helpdesk stays far below it; the limit keeps a forged list of a million
// ids from being checked one by one inside the write transaction.
const MaxRules = 1000

// checkRuleSizes refuses oversized condition and action lists (nil: not
// sent) before anything else: a rule update is validated inside its write
// transaction, against the stored rule.
func checkRuleSizes(conds *Conditions, acts *[]Action) error {
	fe := apperr.FieldErrors{}
	if conds != nil {
		fe.MaxItems("conditions.all", len(conds.All), maxConditions)
		fe.MaxItems("conditions.any", len(conds.Any), maxConditions)
	}
	if acts != nil {
		fe.MaxItems("actions", len(*acts), maxActions)
	}
	return fe.Err()
}
