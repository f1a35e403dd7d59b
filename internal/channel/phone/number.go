package phone

import (
	"errors"
	"regexp"
	"strings"

	"github.com/ombud/ombud/internal/customer"
)

var countryRE = regexp.MustCompile(`^[1-9][0-9]{0,2}$`)

// ValidCountry reports whether cc is a country calling code (1 to 3
// digits, no leading zero), the integration's default for numbers that
// come without one.
func ValidCountry(cc string) bool { return countryRE.MatchString(cc) }

// E164 normalises a phone number to E.164 (+, country code, subscriber
// number; at most 15 digits). Separators are dropped and a leading 00 is
// read as +. A number without a country code gets cc (when set), after
// dropping one national trunk 0 (08 123 456 in Sweden is +468123456);
// without cc it is returned as digits only, as the customer identities
// store numbers nobody could place.
func E164(number, cc string) (string, error) {
	p, err := customer.NormalizeIdentity("phone", number)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(p, "+") && cc != "" {
		if !ValidCountry(cc) {
			return "", errors.New("the default country code must be 1 to 3 digits")
		}
		p = "+" + cc + strings.TrimPrefix(p, "0")
	}
	if strings.HasPrefix(p, "+") {
		if p[1] == '0' {
			return "", errors.New("must start with a country code, not 0")
		}
		if len(p)-1 > 15 {
			return "", errors.New("must be at most 15 digits with the country code (E.164)")
		}
	}
	return p, nil
}

// candidates are the forms an existing customer's number may be stored
// in: the E.164 form first, then as sent, then the national forms.
func candidates(e164, raw, cc string) []string {
	out := []string{e164}
	add := func(v string) {
		for _, o := range out {
			if o == v {
				return
			}
		}
		out = append(out, v)
	}
	if p, err := customer.NormalizeIdentity("phone", raw); err == nil {
		add(p)
	}
	if cc != "" && strings.HasPrefix(e164, "+"+cc) {
		national := strings.TrimPrefix(e164, "+"+cc)
		add(national)
		add("0" + national)
	}
	return out
}
