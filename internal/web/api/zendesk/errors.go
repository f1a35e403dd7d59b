package zendesk

import (
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/web/httpx"
)

// ErrorBody is Zendesk's error shape:
//
//	{"error":"RecordNotFound","description":"Not found"}
//	{"error":"RecordInvalid","description":"Record validation errors","details":{"subject":[{"description":"Subject: is required","error":"InvalidValue"}]}}
//
// A 401 carries only {"error":"Couldn't authenticate you"}, as Zendesk's does.
type ErrorBody struct {
	Error       string                   `json:"error"`
	Description string                   `json:"description,omitempty"`
	Details     map[string][]ErrorDetail `json:"details,omitempty"`
}

// ErrorDetail is one field's problem in a RecordInvalid error.
type ErrorDetail struct {
	Description string `json:"description"`
	Error       string `json:"error"`
}

// zerr is an error this package words itself (a pagination parameter, an
// unsupported search keyword), with Zendesk's status and error name.
type zerr struct {
	status int
	body   ErrorBody
}

func (e *zerr) Error() string { return e.body.Error + ": " + e.body.Description }

func badRequest(name, description string) error {
	return &zerr{status: http.StatusBadRequest, body: ErrorBody{Error: name, Description: description}}
}

// zendeskField names an Ombud field as the Zendesk request named it.
var zendeskField = map[string]string{"team_id": "group_id", "description": "comment", "requester": "requester", "emails": "email", "domains": "domain_names", "add_tags": "additional_tags"}

// Describe turns err into Zendesk's status and error body. Internal
// errors are logged and never shown.
func Describe(r *http.Request, err error, log *slog.Logger) (int, ErrorBody) {
	if z, ok := err.(*zerr); ok {
		return z.status, z.body
	}
	status, ob := httpx.Describe(r, err, log)
	d := ob.Error
	switch d.Code {
	case apperr.CodeInvalid, apperr.CodeUnprocessable:
		if len(d.Fields) == 0 {
			return http.StatusBadRequest, ErrorBody{Error: "InvalidValue", Description: d.Message}
		}
		details := map[string][]ErrorDetail{}
		keys := make([]string, 0, len(d.Fields))
		for k := range d.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			name := k
			if zn, ok := zendeskField[k]; ok {
				name = zn
			}
			details[name] = append(details[name], ErrorDetail{Description: title(name) + ": " + d.Fields[k], Error: "InvalidValue"})
		}
		return http.StatusUnprocessableEntity, ErrorBody{Error: "RecordInvalid", Description: "Record validation errors", Details: details}
	case apperr.CodeNotFound:
		return status, ErrorBody{Error: "RecordNotFound", Description: "Not found"}
	case apperr.CodeUnauthenticated:
		return status, ErrorBody{Error: "Couldn't authenticate you"}
	case apperr.CodeForbidden:
		return status, ErrorBody{Error: "Forbidden", Description: d.Message}
	case apperr.CodeConflict:
		return status, ErrorBody{Error: "Conflict", Description: d.Message}
	case apperr.CodeRateLimited:
		return status, ErrorBody{Error: "APIRateLimitExceeded", Description: d.Message}
	case apperr.CodeTooLarge:
		return status, ErrorBody{Error: "RequestTooLarge", Description: d.Message}
	case apperr.CodeUnsupported:
		return status, ErrorBody{Error: "UnsupportedMediaType", Description: d.Message}
	case apperr.CodeMethod:
		return status, ErrorBody{Error: "InvalidEndpoint", Description: d.Message}
	}
	return status, ErrorBody{Error: "InternalError", Description: d.Message}
}

// WriteError writes err in Zendesk's error shape.
func WriteError(w http.ResponseWriter, r *http.Request, err error, log *slog.Logger) {
	status, body := Describe(r, err, log)
	if status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "60")
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="ombud"`)
		w.Header().Add("WWW-Authenticate", `Bearer realm="ombud"`)
	}
	_ = httpx.WriteJSON(w, status, body)
}

// title is a field name as Zendesk's messages start: "Requester email".
func title(field string) string {
	s := strings.NewReplacer("_", " ", ".", " ").Replace(field)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
