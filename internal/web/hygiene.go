package web

import (
	"mime"
	"net/http"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/web/httpx"
)

// checkInput applies the input rules every route shares, before its
// handler reads anything (docs/api.md, "Input rules"):
//   - the query string must decode strictly (httpx.ParseQuery); on the API
//     every parameter is single-valued, since its lists are comma separated
//     within one parameter (?status=new,open), while the UI's forms may
//     repeat a name;
//   - the API takes no forms: a form body answers 415 on every API route
//     (curl -d sends one by default), and a route that reads a JSON body
//     refuses any other declared content type with 415 as well;
//   - the NUL character, anywhere.
func checkInput(rt Route, r *http.Request) error {
	api := strings.HasPrefix(rt.Path, "/api/")
	multi := func(string) bool { return true }
	if api {
		multi = nil
	}
	if err := httpx.CheckQueryStrict(r, multi); err != nil {
		return err
	}
	if api && r.ContentLength != 0 && (r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch) {
		ct := r.Header.Get("Content-Type")
		mt, _, _ := mime.ParseMediaType(ct)
		switch {
		case mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data":
			return &apperr.Error{Code: apperr.CodeUnsupported, Message: "the API takes no forms: send JSON as application/json (or a file as its own type)"}
		case rt.Request != nil && rt.RequestMedia == "" && ct != "" && !httpx.IsJSONType(mt):
			return &apperr.Error{Code: apperr.CodeUnsupported, Message: "send the body as application/json"}
		}
	}
	return httpx.CheckNUL(r)
}
