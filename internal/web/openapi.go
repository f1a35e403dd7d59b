package web

import (
	"context"
	"net/http"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/web/api"
	"github.com/ombud/ombud/internal/web/api/zendesk"
	"github.com/ombud/ombud/internal/web/httpx"
)

// HealthReply is what /healthz answers.
type HealthReply struct {
	Status string `json:"status"`
}

// ReadyReply is what /readyz answers: 200 with the database engine when
// ready, 503 with the reason (and pending migrations) when not.
type ReadyReply struct {
	Status   string `json:"status"`
	Database string `json:"database,omitempty"`
	Pending  int    `json:"pending,omitempty"`
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	return httpx.WriteJSON(w, http.StatusOK, HealthReply{Status: "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		return httpx.WriteJSON(w, http.StatusServiceUnavailable, ReadyReply{Status: "database unreachable"})
	}
	n, err := s.DB.Pending(ctx)
	if err != nil || n > 0 {
		return httpx.WriteJSON(w, http.StatusServiceUnavailable, ReadyReply{Status: "migrations pending", Pending: n})
	}
	return httpx.WriteJSON(w, http.StatusOK, ReadyReply{Status: "ready", Database: s.DB.Dialect().String()})
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	return httpx.WriteJSON(w, http.StatusOK, s.OpenAPI())
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)(\.\.\.)?\}`)

// Documented reports whether the OpenAPI document describes rt: the API
// and the operational endpoints (the agent UI's pages are not an API), and
// the web form's, which other sites' pages and servers call.
func Documented(rt Route) bool {
	return strings.HasPrefix(rt.Path, "/api/") || strings.HasPrefix(rt.Path, "/forms/") || rt.Path == "/healthz" || rt.Path == "/readyz"
}

// OpenAPI builds the OpenAPI 3.1 document from the route table and the
// request and reply types named there, so it cannot drift from the code:
// schemas are derived from the Go types by reflection (openapi_schema.go),
// query parameters from openapi_params.go, enumerations from
// openapi_enums.go. TestOpenAPIResponses validates real answers against it.
func (s *Server) OpenAPI() map[string]any {
	schemas := map[string]any{}
	reply := &schemaGen{schemas: schemas}
	paths := map[string]map[string]any{}
	routes := s.Routes()
	ops := make([]map[string]any, len(routes))
	for i, rt := range routes {
		if !Documented(rt) {
			continue
		}
		op := map[string]any{"summary": rt.Summary, "operationId": operationID(rt)}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, pathParamDoc(rt, m[1]))
		}
		for _, q := range rt.Query {
			params = append(params, queryParamDoc(rt, q))
		}
		if rt.Method == "POST" && rt.Access == APIAuth && !rt.Stream {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "schema": map[string]any{"type": "string", "minLength": 1, "maxLength": idempotencyMaxKey},
				"description": "the first answer to this key is returned again for 24 hours (docs/api.md)"})
		}
		if params != nil {
			op["parameters"] = params
		}
		status := rt.Status
		if status == 0 {
			status = http.StatusOK
		}
		resp := map[string]any{"description": http.StatusText(status)}
		if c := content(rt.Media, rt.Reply, reply); c != nil {
			resp["content"] = c
		}
		errSchema := "#/components/schemas/Error"
		if strings.HasPrefix(rt.Path, zendesk.Prefix) {
			// The Zendesk-compatible subset answers errors in Zendesk's shape.
			errSchema = "#/components/schemas/ZendeskError"
		}
		errRef := map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": errSchema}}}}
		responses := map[string]any{itoa(status): resp, "default": with(errRef, "description", "Error")}
		if rt.Access == APIAuth {
			responses["401"] = with(errRef, "description", "No valid token (WWW-Authenticate: Bearer)")
			responses["429"] = with(errRef, "description", "Rate limited (Retry-After)")
		}
		for st, body := range otherReplies[rt.Method+" "+rt.Path] {
			responses[itoa(st)] = map[string]any{"description": http.StatusText(st), "content": content(nil, body, reply)}
		}
		op["responses"] = responses
		if rt.Access == APIAuth {
			op["security"] = []any{map[string]any{"bearer": []any{}}}
			if strings.HasPrefix(rt.Path, zendesk.Prefix) {
				op["security"] = []any{map[string]any{"bearer": []any{}}, map[string]any{"zendeskToken": []any{}}}
			}
		}
		if rt.Perm != "" {
			op["x-permission"] = string(rt.Perm)
		}
		ops[i] = op
		p := pathParam.ReplaceAllString(rt.Path, "{$1}")
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rt.Method)] = op
	}
	schemas["Error"] = reply.ref(reflect.TypeOf(httpx.ErrorBody{}))
	schemas["ZendeskError"] = reply.ref(reflect.TypeOf(zendesk.ErrorBody{}))
	// Request bodies second, so a type used both ways keeps its plain name
	// for the reply and gets an Input suffix for the stricter request.
	taken := map[string]bool{}
	for name := range schemas {
		taken[name] = true
	}
	request := &schemaGen{schemas: schemas, request: true, taken: taken}
	for i, rt := range routes {
		if ops[i] == nil || (rt.Request == nil && rt.RequestMedia == "") {
			continue
		}
		media := []string{"application/json"}
		if rt.RequestMedia != "" {
			media = []string{rt.RequestMedia}
		}
		ops[i]["requestBody"] = map[string]any{"required": true, "content": content(media, rt.Request, request)}
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Ombud API", "version": "1",
			"description": "Customer-support platform API. Errors always have the shape {\"error\":{\"code\",\"message\",\"fields\"}}, except under /api/v2, the Zendesk-compatible subset, which answers Zendesk's {\"error\",\"description\",\"details\"} (docs/zendesk.md). " +
				"Lists answer {\"data\":[…],\"next_cursor\":\"…\"|null}; replies may gain fields, so clients must ignore the ones they do not know."},
		"jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
		"paths":             paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"},
				"zendeskToken": map[string]any{"type": "http", "scheme": "basic", "description": "/api/v2 only: user {email}/token, password the API token (docs/zendesk.md)"}},
		},
	}
}

// otherReplies are answers in the shape of the success reply at another
// status.
var otherReplies = map[string]map[int]any{
	"GET /readyz": {http.StatusServiceUnavailable: ReadyReply{}},
	"POST /api/v1/import": {
		http.StatusUnprocessableEntity: importer.Result{}, // every record failed
		// The body was cut short or grew past --import-max-bytes: the
		// error, and what was committed before it.
		http.StatusBadRequest:            api.ImportStopped{},
		http.StatusRequestEntityTooLarge: api.ImportStopped{},
	},
}

// content is a response's or request's content map: body (a Go value of
// the type served) under each media type.
func content(media []string, body any, g *schemaGen) map[string]any {
	if media == nil {
		if body == nil {
			return nil
		}
		media = []string{"application/json"}
	}
	out := map[string]any{}
	for _, mt := range media {
		switch mt {
		case "application/json":
			out[mt] = map[string]any{"schema": g.ref(reflect.TypeOf(body))}
		case "application/x-ndjson":
			out[mt] = map[string]any{"schema": with(g.ref(reflect.TypeOf(body)), "description", "NDJSON: one JSON value of this schema per line")}
		case "text/csv":
			out[mt] = map[string]any{"schema": map[string]any{"type": "string", "description": "CSV with a header row (UTF-8, byte order mark first)"}}
		default:
			out[mt] = map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": mt}}
		}
	}
	return out
}

// with returns a copy of m with k set to v; a $ref schema is wrapped, since
// keywords beside $ref are easy to misread.
func with(m map[string]any, k string, v any) map[string]any {
	if _, ok := m["$ref"]; ok && k == "description" {
		return map[string]any{"allOf": []any{m}, k: v}
	}
	out := clone(m)
	out[k] = v
	return out
}

func operationID(rt Route) string {
	name := runtimeName(rt.Handler)
	if name != "" {
		return name
	}
	return strings.ToLower(rt.Method) + strings.ReplaceAll(rt.Path, "/", "_")
}

// runtimeName is the handler's method name (ListTickets), from the runtime's
// name for the bound method value ("…api.(*API).ListTickets-fm").
func runtimeName(h any) string {
	v := reflect.ValueOf(h)
	if v.Kind() != reflect.Func || v.IsNil() {
		return ""
	}
	f := runtime.FuncForPC(v.Pointer())
	if f == nil {
		return ""
	}
	name := strings.TrimSuffix(f.Name(), "-fm")
	if i := strings.LastIndex(name, "."); i >= 0 {
		name = name[i+1:]
	}
	return name
}

func schemaName(t reflect.Type) string {
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	name := t.Name()
	// Generic instances: page.List[github.com/…/ticket.Ticket] → page.List_ticket.Ticket
	if i := strings.Index(name, "["); i >= 0 {
		inner := name[i+1 : len(name)-1]
		if j := strings.LastIndex(inner, "/"); j >= 0 {
			inner = inner[j+1:]
		}
		name = name[:i] + "_" + inner
	}
	return strings.ReplaceAll(pkg+"."+name, "·", "_")
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}
