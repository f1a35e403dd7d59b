// Package httpx holds what every Ombud handler shares: strict JSON decoding,
// JSON responses, the error → status mapping, the acting user in the request
// context, and path/query parsing helpers. It runs no SQL.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
)

// HandlerFunc is an http handler that returns its error for the router to render.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

type ctxKey int

const (
	actorKey ctxKey = iota
	requestIDKey
	loggerKey
	sessionKey
)

// WithActor returns ctx carrying the authenticated actor.
func WithActor(ctx context.Context, a authz.Actor) context.Context {
	return context.WithValue(ctx, actorKey, a)
}

// Actor returns the authenticated actor; the zero Actor when nobody signed in.
func Actor(ctx context.Context) authz.Actor {
	a, _ := ctx.Value(actorKey).(authz.Actor)
	return a
}

// Session is what the web UI needs of a signed-in browser session.
type Session struct {
	CSRF     string
	Locale   string
	TimeZone string
	Name     string
	Email    string
	// MustEnrol: the agent's role requires two-factor sign-in they have not
	// set up (web's enrolment gate lets them do only that).
	MustEnrol bool
}

// WithSession returns ctx carrying the browser session.
func WithSession(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, sessionKey, s)
}

// SessionFrom returns the browser session or nil for API-token requests.
func SessionFrom(ctx context.Context) *Session {
	s, _ := ctx.Value(sessionKey).(*Session)
	return s
}

// RequestID returns the request id set by the middleware.
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// WithRequestID returns ctx carrying a request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// Logger returns the request-scoped logger (with request_id), or fallback.
func Logger(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	if l, ok := ctx.Value(loggerKey).(*slog.Logger); ok {
		return l
	}
	return fallback
}

// WithLogger returns ctx carrying a request-scoped logger.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey, l)
}

// DecodeJSON reads a JSON object body into dst strictly: the content type
// must be JSON, unknown fields and trailing data are refused, and type errors
// name the field. The body size is limited by the router (413).
func DecodeJSON(r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !IsJSONType(mt) {
			return &apperr.Error{Code: apperr.CodeUnsupported, Message: "send the body as application/json"}
		}
	}
	return DecodeJSONReader(r.Body, dst)
}

// IsJSONType reports whether a media type (without parameters) is JSON.
func IsJSONType(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// DecodeJSONReader is DecodeJSON for any reader (also used by fuzz tests and the importer).
func DecodeJSONReader(body io.Reader, dst any) error {
	// The whole body is read first (the router bounds its size): invalid
	// UTF-8, which encoding/json would quietly turn into U+FFFD, is refused.
	b, err := io.ReadAll(body)
	if err != nil {
		return jsonError(err)
	}
	if err := checkUTF8(b); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if err != nil {
			if e := jsonError(err); apperr.CodeOf(e) != apperr.CodeInvalid || errors.As(err, new(*json.SyntaxError)) {
				return e
			}
		}
		return apperr.InvalidField("body", "must hold exactly one JSON object")
	}
	if hasNUL(reflect.ValueOf(dst), 0) {
		return apperr.InvalidField("body", "must not contain the NUL character (\\u0000)")
	}
	return nil
}

// checkUTF8 refuses a JSON text that is not valid UTF-8, or whose \u
// escapes name a lone UTF-16 surrogate: encoding/json would replace either
// with U+FFFD and store text the client never sent.
func checkUTF8(b []byte) error {
	if !utf8.Valid(b) {
		at := 0
		for at < len(b) {
			r, n := utf8.DecodeRune(b[at:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			at += n
		}
		return apperr.InvalidField("body", fmt.Sprintf("is not valid UTF-8 (at byte %d)", at))
	}
	// A backslash appears only inside strings in valid JSON (anything else
	// is a syntax error the decoder reports), so the escapes can be read
	// without tracking where strings start.
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			continue
		}
		if b[i+1] != 'u' {
			i++ // \" \\ \n …: skip the escaped character
			continue
		}
		r, ok := hex4(b, i+2)
		if !ok {
			return nil // a malformed escape: the decoder names it
		}
		switch {
		case utf16.IsSurrogate(r) && r < 0xdc00:
			low, ok := hex4(b, i+8)
			if !ok || i+7 >= len(b) || b[i+6] != '\\' || b[i+7] != 'u' || low < 0xdc00 || low > 0xdfff {
				return apperr.InvalidField("body", fmt.Sprintf("holds a lone UTF-16 surrogate escape (at byte %d)", i))
			}
			i += 11
		case utf16.IsSurrogate(r):
			return apperr.InvalidField("body", fmt.Sprintf("holds a lone UTF-16 surrogate escape (at byte %d)", i))
		default:
			i += 5
		}
	}
	return nil
}

// hex4 reads the four hex digits of a \u escape starting at b[at].
func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// hasNUL reports whether any string reachable from v holds the NUL
// character: PostgreSQL cannot store it in text and no helpdesk text needs
// it, so it is refused at the door rather than failing deep inside a write.
func hasNUL(v reflect.Value, depth int) bool {
	if depth > 32 {
		return false
	}
	switch v.Kind() {
	case reflect.String:
		return strings.IndexByte(v.String(), 0) >= 0
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && hasNUL(v.Elem(), depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && hasNUL(v.Field(i), depth+1) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if hasNUL(v.Index(i), depth+1) {
				return true
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if hasNUL(it.Key(), depth+1) || hasNUL(it.Value(), depth+1) {
				return true
			}
		}
	}
	return false
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return &apperr.Error{Code: apperr.CodeTooLarge, Message: fmt.Sprintf("the body is larger than %d bytes", mbe.Limit)}
	case errors.Is(err, io.EOF):
		return apperr.InvalidField("body", "is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.InvalidField("body", "is not valid JSON (it ends too early)")
	case errors.As(err, &syn):
		return apperr.InvalidField("body", fmt.Sprintf("is not valid JSON (at byte %d)", syn.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apperr.InvalidField("body", "must be a JSON object")
		}
		return apperr.InvalidField(field, "must be "+jsonKind(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.InvalidField(name, "is not a known field")
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return apperr.InvalidField("body", "is not valid JSON")
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	case "float32", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "of another type"
}

// WriteJSON writes v with status. It encodes v before the status line
// goes out, so a value that cannot be encoded is an error the router can
// still answer (500), never a 200 followed by an error body.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	// Into a kept buffer (replyBufs), as WriteAppendJSON's: each reply grew
	// a new one from nothing.
	bp := replyBufs.Get().(*[]byte)
	buf := bytes.NewBuffer((*bp)[:0])
	defer func() {
		*bp = buf.Bytes()[:0]
		keepReply(bp)
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("httpx: encode reply: %w", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// Status maps an error code to an HTTP status.
func Status(code apperr.Code) int {
	switch code {
	case apperr.CodeInvalid:
		return http.StatusBadRequest
	case apperr.CodeUnprocessable:
		return http.StatusUnprocessableEntity
	case apperr.CodeNotFound:
		return http.StatusNotFound
	case apperr.CodeConflict:
		return http.StatusConflict
	case apperr.CodeForbidden:
		return http.StatusForbidden
	case apperr.CodeUnauthenticated:
		return http.StatusUnauthorized
	case apperr.CodeRateLimited:
		return http.StatusTooManyRequests
	case apperr.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.CodeUnsupported:
		return http.StatusUnsupportedMediaType
	case apperr.CodeMethod:
		return http.StatusMethodNotAllowed
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every error answer.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes one error.
type ErrorDetail struct {
	Code      apperr.Code       `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// Describe turns err into the status and body to show; internal errors are
// logged here and never shown.
func Describe(r *http.Request, err error, log *slog.Logger) (int, ErrorBody) {
	e := apperr.As(err)
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		e = &apperr.Error{Code: apperr.CodeInvalid, Message: "request cancelled"}
	}
	status := Status(e.Code)
	if status >= 500 {
		Logger(r.Context(), log).Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		e = &apperr.Error{Code: apperr.CodeInternal, Message: "internal error; the request id identifies it in the logs"}
	}
	return status, ErrorBody{Error: ErrorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields, RequestID: RequestID(r.Context())}}
}

// WriteError writes err as the JSON error shape.
func WriteError(w http.ResponseWriter, r *http.Request, err error, log *slog.Logger) {
	status, body := Describe(r, err, log)
	if status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "60")
	}
	if status == http.StatusUnauthorized && strings.HasPrefix(r.URL.Path, "/api/") {
		// RFC 9110: a 401 names the scheme that would be accepted.
		w.Header().Set("WWW-Authenticate", `Bearer realm="ombud"`)
	}
	_ = WriteJSON(w, status, body)
}

// PathID parses a positive integer path value; anything else is not found.
func PathID(r *http.Request, name, kind string) (int64, error) {
	s := r.PathValue(name)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.NotFound(kind, s)
	}
	return n, nil
}

// QueryInt64 parses an optional positive integer query parameter.
func QueryInt64(r *http.Request, name string) (int64, error) {
	return ValueInt64(r.URL.Query(), name)
}

// ValueInt64 is QueryInt64 on a query already parsed.
func ValueInt64(q url.Values, name string) (int64, error) {
	s := q.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.InvalidField(name, "must be a positive whole number")
	}
	return n, nil
}

// CheckQuery refuses query parameters outside allowed, so typos are not
// silently ignored.
func CheckQuery(r *http.Request, allowed ...string) error {
	for k := range r.URL.Query() {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
				break
			}
		}
		if !ok {
			return apperr.InvalidField(k, "is not a known query parameter")
		}
	}
	return nil
}

// CheckNUL refuses a request whose query string or form fields carry the
// NUL character, with 400 naming the field — the same rule DecodeJSON
// applies to JSON bodies, here for every other input path (PostgreSQL
// cannot store NUL in text, and no helpdesk text needs it).
func CheckNUL(r *http.Request) error {
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			if strings.IndexByte(k, 0) >= 0 || strings.IndexByte(v, 0) >= 0 {
				return apperr.InvalidField(strings.ReplaceAll(k, "\x00", ""), "must not contain the NUL character")
			}
		}
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a valid form")
	}
	for k, vs := range r.PostForm {
		for _, v := range vs {
			if strings.IndexByte(k, 0) >= 0 || strings.IndexByte(v, 0) >= 0 {
				return apperr.InvalidField(strings.ReplaceAll(k, "\x00", ""), "must not contain the NUL character")
			}
		}
	}
	return nil
}
