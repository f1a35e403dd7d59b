package web

import (
	"context"
	"net/http"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/web/api/zendesk"
	"github.com/ombud/ombud/internal/web/httpx"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	return httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		return httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
	}
	n, err := s.DB.Pending(ctx)
	if err != nil || n > 0 {
		return httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "migrations pending", "pending": n})
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready", "database": s.DB.Dialect().String()})
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	return httpx.WriteJSON(w, http.StatusOK, s.OpenAPI())
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)(\.\.\.)?\}`)

// OpenAPI builds the OpenAPI 3.1 document from the route table and the
// request and reply types named there, so it cannot drift from the code.
func (s *Server) OpenAPI() map[string]any {
	schemas := map[string]any{}
	paths := map[string]map[string]any{}
	for _, rt := range s.Routes() {
		if !strings.HasPrefix(rt.Path, "/api/") && rt.Path != "/healthz" && rt.Path != "/readyz" {
			continue
		}
		op := map[string]any{"summary": rt.Summary, "operationId": operationID(rt)}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
		}
		if rt.Method == "POST" && rt.Access == APIAuth {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "schema": map[string]any{"type": "string", "minLength": 1, "maxLength": idempotencyMaxKey},
				"description": "the first answer to this key is returned again for 24 hours (docs/api.md)"})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.Request != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": schemaRef(reflect.TypeOf(rt.Request), schemas)},
			}}
		}
		status := rt.Status
		if status == 0 {
			status = http.StatusOK
		}
		resp := map[string]any{"description": http.StatusText(status)}
		if rt.Reply != nil {
			resp["content"] = map[string]any{"application/json": map[string]any{"schema": schemaRef(reflect.TypeOf(rt.Reply), schemas)}}
		}
		errSchema := "#/components/schemas/Error"
		if strings.HasPrefix(rt.Path, zendesk.Prefix) {
			// The Zendesk-compatible subset answers errors in Zendesk's shape.
			errSchema = "#/components/schemas/ZendeskError"
		}
		op["responses"] = map[string]any{
			itoa(status): resp,
			"default":    map[string]any{"description": "Error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": errSchema}}}},
		}
		if rt.Access == APIAuth {
			op["security"] = []any{map[string]any{"bearer": []any{}}}
			if strings.HasPrefix(rt.Path, zendesk.Prefix) {
				op["security"] = []any{map[string]any{"bearer": []any{}}, map[string]any{"zendeskToken": []any{}}}
			}
		}
		if rt.Perm != "" {
			op["x-permission"] = string(rt.Perm)
		}
		p := pathParam.ReplaceAllString(rt.Path, "{$1}")
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rt.Method)] = op
	}
	schemas["Error"] = schemaRef(reflect.TypeOf(httpx.ErrorBody{}), schemas)
	schemas["ZendeskError"] = schemaRef(reflect.TypeOf(zendesk.ErrorBody{}), schemas)
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Ombud API", "version": "1",
			"description": "Customer-support platform API. Errors always have the shape {\"error\":{\"code\",\"message\",\"fields\"}}, except under /api/v2, the Zendesk-compatible subset, which answers Zendesk's {\"error\",\"description\",\"details\"} (docs/zendesk.md)."},
		"paths": paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"},
				"zendeskToken": map[string]any{"type": "http", "scheme": "basic", "description": "/api/v2 only: user {email}/token, password the API token (docs/zendesk.md)"}},
		},
	}
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

// schemaRef describes t as a JSON schema, registering named structs as components.
func schemaRef(t reflect.Type, schemas map[string]any) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeOf(time.Time{}) {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	if m, ok := reflect.New(t).Interface().(interface{ MarshalJSON() ([]byte, error) }); ok && t.Kind() == reflect.Struct && m != nil {
		// opt.Value and similar: the wrapped value or null.
		if f, ok := t.FieldByName("V"); ok {
			return map[string]any{"oneOf": []any{schemaRef(f.Type, schemas), map[string]any{"type": "null"}}}
		}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaRef(t.Elem(), schemas)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaRef(t.Elem(), schemas)}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := schemaName(t)
		ref := map[string]any{"$ref": "#/components/schemas/" + name}
		if _, ok := schemas[name]; ok {
			return ref
		}
		schemas[name] = map[string]any{} // placeholder for recursive types
		props := map[string]any{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			jname, _, _ := strings.Cut(tag, ",")
			if jname == "" {
				jname = f.Name
			}
			props[jname] = schemaRef(f.Type, schemas)
		}
		schemas[name] = map[string]any{"type": "object", "properties": props, "additionalProperties": false}
		return ref
	}
	return map[string]any{}
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
