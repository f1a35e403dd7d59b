package web

import (
	"net/http"
	"slices"
	"strings"
)

// methodIndex answers "which methods does this path have?" for requests
// that matched no route: one ServeMux per method, holding only that
// method's patterns, so Go's own pattern matching decides (the catch-all
// "/" route would otherwise turn every wrong method into a 404).
type methodIndex map[string]*http.ServeMux

func newMethodIndex(routes []Route) methodIndex {
	idx := methodIndex{}
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, rt := range routes {
		m := idx[rt.Method]
		if m == nil {
			m = http.NewServeMux()
			idx[rt.Method] = m
		}
		m.Handle(rt.Method+" "+rt.Path, noop)
	}
	return idx
}

// allowed lists the methods whose routes match r's path, sorted; HEAD
// rides along with GET as the standard library serves it.
func (idx methodIndex) allowed(r *http.Request) []string {
	var out []string
	for method, mux := range idx {
		probe := r.Clone(r.Context())
		probe.Method = method
		if _, pattern := mux.Handler(probe); pattern != "" {
			out = append(out, method)
			if method == http.MethodGet {
				out = append(out, http.MethodHead)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// allowHeader is the Allow field value for methods.
func allowHeader(methods []string) string { return strings.Join(methods, ", ") }
