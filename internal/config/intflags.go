package config

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
)

// intFlag is a whole-number setting: a flag, and OMBUD_<NAME> in the
// environment, which the flag overrides. given, when not nil, is set once
// either gives a value (a default that depends on other settings then
// does not apply).
type intFlag struct {
	p          *int
	name, help string
	given      *bool
}

// bindInts registers flags, each first set from its environment variable;
// a variable that is not a whole number is reported through envErr as
// "want <unit>" (e.g. "a whole number").
func bindInts(fs *flag.FlagSet, getenv func(string) string, envErr *error, unit string, flags ...intFlag) {
	for _, d := range flags {
		if v := getenv(envName(d.name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				*envErr = fmt.Errorf("%s: want %s, got %q", envName(d.name), unit, v)
			}
			*d.p = n
			if d.given != nil {
				*d.given = true
			}
		}
		if d.given != nil {
			fs.Var(givenInt{d.p, d.given}, d.name, d.help)
			continue
		}
		fs.IntVar(d.p, d.name, *d.p, d.help)
	}
}

// givenInt is an intFlag's flag that records that it was given.
type givenInt struct {
	p     *int
	given *bool
}

func (g givenInt) String() string {
	if g.p == nil {
		return ""
	}
	return strconv.Itoa(*g.p)
}

func (g givenInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("want a whole number")
	}
	*g.p, *g.given = n, true
	return nil
}
