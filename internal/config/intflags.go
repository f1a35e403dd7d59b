package config

import (
	"flag"
	"fmt"
	"strconv"
)

// intFlag is a whole-number setting: a flag, and OMBUD_<NAME> in the
// environment, which the flag overrides.
type intFlag struct {
	p          *int
	name, help string
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
		}
		fs.IntVar(d.p, d.name, *d.p, d.help)
	}
}
