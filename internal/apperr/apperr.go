// Package apperr defines the error type every layer of Ombud speaks: a
// machine-readable code, a message that is safe to show, and per-field
// details for validation failures. The web layer maps codes to HTTP statuses;
// domain packages never import net/http.
package apperr

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code classifies an error for clients.
type Code string

// The codes. Each maps to exactly one HTTP status in web/httpx.
const (
	CodeInvalid         Code = "invalid"            // 400: malformed or missing input
	CodeUnprocessable   Code = "unprocessable"      // 422: well-formed but not allowed now (e.g. status transition)
	CodeNotFound        Code = "not_found"          // 404
	CodeConflict        Code = "conflict"           // 409
	CodeForbidden       Code = "forbidden"          // 403
	CodeUnauthenticated Code = "unauthenticated"    // 401
	CodeRateLimited     Code = "rate_limited"       // 429
	CodeTooLarge        Code = "too_large"          // 413
	CodeUnsupported     Code = "unsupported"        // 415
	CodeMethod          Code = "method_not_allowed" // 405: the path exists, the method does not
	CodeInternal        Code = "internal"           // 500: never carries details to the client
)

// Error is an application error. Message and Fields are shown to clients for
// every code but CodeInternal.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
	Err     error // underlying cause, for logs only
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(" (")
		for i, k := range keys {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(e.Fields[k])
		}
		b.WriteString(")")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Invalid reports bad input; fields maps a field name (JSON path) to what is wrong with it.
func Invalid(fields map[string]string) *Error {
	return &Error{Code: CodeInvalid, Message: "the request has invalid fields", Fields: fields}
}

// InvalidField is Invalid for a single field.
func InvalidField(field, problem string) *Error {
	return Invalid(map[string]string{field: problem})
}

// Unprocessable reports a request that is well-formed but not allowed in the current state.
func Unprocessable(field, problem string) *Error {
	return &Error{Code: CodeUnprocessable, Message: problem, Fields: map[string]string{field: problem}}
}

// NotFound reports a missing resource, e.g. NotFound("ticket", 12).
func NotFound(kind string, id any) *Error {
	return &Error{Code: CodeNotFound, Message: fmt.Sprintf("%s %v not found", kind, id)}
}

// Conflict reports a uniqueness or concurrency conflict.
func Conflict(field, problem string) *Error {
	e := &Error{Code: CodeConflict, Message: problem}
	if field != "" {
		e.Fields = map[string]string{field: problem}
	}
	return e
}

// Forbidden reports an authenticated actor lacking a permission.
func Forbidden(msg string) *Error { return &Error{Code: CodeForbidden, Message: msg} }

// Unauthenticated reports a missing or bad credential.
func Unauthenticated(msg string) *Error { return &Error{Code: CodeUnauthenticated, Message: msg} }

// RateLimited reports too many attempts.
func RateLimited(msg string) *Error { return &Error{Code: CodeRateLimited, Message: msg} }

// MethodNotAllowed reports a method the path does not serve; allow lists
// the ones it does.
func MethodNotAllowed(method, allow string) *Error {
	return &Error{Code: CodeMethod, Message: fmt.Sprintf("method %s is not allowed here; use %s", method, allow)}
}

// Internal wraps an unexpected failure; its text is logged, never shown.
func Internal(err error) *Error {
	return &Error{Code: CodeInternal, Message: "internal error", Err: err}
}

// CodeOf returns the code of err, CodeInternal for errors that are not *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// As returns err as *Error, wrapping unknown errors as internal.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// FieldErrors collects validation problems and turns into an Invalid error.
type FieldErrors map[string]string

// Add records a problem for field, keeping the first one reported.
func (f FieldErrors) Add(field, problem string) {
	if _, ok := f[field]; !ok {
		f[field] = problem
	}
}

// Err returns nil when no problem was recorded.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Invalid(map[string]string(f))
}
