package apperr

import "fmt"

// TooMany is the message for a list field holding more than max elements.
// Every list limit uses it, so clients and translators see one wording.
func TooMany(max int) string { return fmt.Sprintf("at most %d items", max) }

// MaxItems adds TooMany(max) for field when a list of n elements is longer
// than max, and reports whether it did. Services call it before any other
// work on the list: a request with 400,000 identities must not hold the
// database's single writer while each is checked and inserted.
func (f FieldErrors) MaxItems(field string, n, max int) bool {
	if n <= max {
		return false
	}
	f.Add(field, TooMany(max))
	return true
}
