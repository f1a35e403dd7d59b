package webtest

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// OpenAPI validates answers against the served OpenAPI document with
// a JSON Schema 2020-12 validator (the dialect of OpenAPI 3.1), so the
// document is held to what the server really sends, not to what its
// generator believes.
type OpenAPI struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	cache    map[string]*jsonschema.Schema
	seen     map[string]bool // "METHOD pattern status" checked
	mux      *http.ServeMux  // for Pattern
}

const docURL = "mem://ombud/openapi.json"

// NewOpenAPI reads an OpenAPI document for checking answers against it.
func NewOpenAPI(t testing.TB, raw []byte) *OpenAPI {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(docURL, v); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return &OpenAPI{doc: v.(map[string]any), compiler: c, cache: map[string]*jsonschema.Schema{}, seen: map[string]bool{}}
}

// FetchOpenAPI reads the document from a running server.
func FetchOpenAPI(t testing.TB, client *http.Client, base string) *OpenAPI {
	t.Helper()
	resp, err := client.Get(base + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("openapi.json: status %d", resp.StatusCode)
	}
	return NewOpenAPI(t, raw)
}

func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// schema compiles the schema at a JSON pointer of the document.
func (d *OpenAPI) schema(ptr string) (*jsonschema.Schema, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.cache[ptr]; ok {
		return s, nil
	}
	s, err := d.compiler.Compile(docURL + "#" + ptr)
	if err != nil {
		return nil, err
	}
	d.cache[ptr] = s
	return s, nil
}

// operation is the document's operation for a route pattern.
func (d *OpenAPI) operation(method, pattern string) (map[string]any, string, error) {
	paths, _ := d.doc["paths"].(map[string]any)
	item, _ := paths[pattern].(map[string]any)
	op, _ := item[strings.ToLower(method)].(map[string]any)
	if op == nil {
		return nil, "", fmt.Errorf("the document has no %s %s", method, pattern)
	}
	return op, "/paths/" + pointerEscape(pattern) + "/" + strings.ToLower(method), nil
}

// CheckResponse validates one answer of the route method+pattern: its
// status is documented (or falls under default), its media type is one
// the document lists, and a JSON (or NDJSON) body matches the schema.
func (d *OpenAPI) CheckResponse(method, pattern string, status int, header http.Header, body []byte) error {
	op, ptr, err := d.operation(method, pattern)
	if err != nil {
		return err
	}
	responses, _ := op["responses"].(map[string]any)
	key := strconv.Itoa(status)
	resp, _ := responses[key].(map[string]any)
	if resp == nil {
		key = "default"
		resp, _ = responses[key].(map[string]any)
		if resp == nil || status < 400 {
			return fmt.Errorf("status %d is not documented", status)
		}
	}
	d.mu.Lock()
	d.seen[method+" "+pattern+" "+key] = true
	d.mu.Unlock()
	ptr += "/responses/" + key
	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) > 0 {
			return fmt.Errorf("status %d: the document says no body, got %d bytes", status, len(body))
		}
		return nil
	}
	ct := header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("status %d: content type %q: %v", status, ct, err)
	}
	entry := mt
	if content[mt] == nil {
		if content["*/*"] == nil {
			keys := make([]string, 0, len(content))
			for k := range content {
				keys = append(keys, k)
			}
			return fmt.Errorf("status %d: served as %s, the document lists %v", status, mt, keys)
		}
		entry = "*/*"
	}
	ptr += "/content/" + pointerEscape(entry) + "/schema"
	var values [][]byte
	switch mt {
	case "application/json":
		values = [][]byte{body}
	case "application/x-ndjson":
		for _, line := range bytes.Split(body, []byte("\n")) {
			if len(bytes.TrimSpace(line)) > 0 {
				values = append(values, line)
			}
		}
	default:
		return nil
	}
	s, err := d.schema(ptr)
	if err != nil {
		return fmt.Errorf("compile %s: %v", ptr, err)
	}
	for i, raw := range values {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("status %d: body (line %d) is not JSON: %v: %.200s", status, i+1, err, raw)
		}
		if err := s.Validate(v); err != nil {
			return fmt.Errorf("status %d: body does not match %s:\n%v\nbody: %.600s", status, ptr, err, raw)
		}
	}
	return nil
}

// CheckRequest validates a JSON request body against the route's request
// schema (a body the server accepts must be one the document allows).
func (d *OpenAPI) CheckRequest(method, pattern string, body []byte) error {
	op, ptr, err := d.operation(method, pattern)
	if err != nil {
		return err
	}
	rb, _ := op["requestBody"].(map[string]any)
	content, _ := rb["content"].(map[string]any)
	if content["application/json"] == nil {
		return nil
	}
	s, err := d.schema(ptr + "/requestBody/content/application~1json/schema")
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("request body is not JSON: %v", err)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("request body does not match the document:\n%v", err)
	}
	return nil
}

// Pattern is the route pattern ("/api/v1/tickets/{id}") the document
// describes for a request, found the way the server's ServeMux finds it;
// "" when none.
func (d *OpenAPI) Pattern(method, path string) string {
	d.mu.Lock()
	if d.mux == nil {
		d.mux = http.NewServeMux()
		paths, _ := d.doc["paths"].(map[string]any)
		for p, item := range paths {
			for m := range item.(map[string]any) {
				d.mux.HandleFunc(strings.ToUpper(m)+" "+p, func(http.ResponseWriter, *http.Request) {})
			}
		}
	}
	d.mu.Unlock()
	req, err := http.NewRequest(method, path, nil)
	if err != nil {
		return ""
	}
	_, pattern := d.mux.Handler(req)
	_, p, _ := strings.Cut(pattern, " ")
	return p
}

// Succeeded reports whether a 2xx answer of the route was checked.
func (d *OpenAPI) Succeeded(method, pattern string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k := range d.seen {
		m, rest, _ := strings.Cut(k, " ")
		p, status, _ := strings.Cut(rest, " ")
		if m == method && p == pattern && len(status) == 3 && status[0] == '2' {
			return true
		}
	}
	return false
}

// CompileAll compiles every schema of the document (components, and each
// operation's parameters, request and response bodies): each must be
// valid JSON Schema 2020-12 with every $ref resolving. It returns the
// number compiled.
func (d *OpenAPI) CompileAll() (int, error) {
	var ptrs []string
	comps, _ := d.doc["components"].(map[string]any)
	schemas, _ := comps["schemas"].(map[string]any)
	for name := range schemas {
		ptrs = append(ptrs, "/components/schemas/"+pointerEscape(name))
	}
	paths, _ := d.doc["paths"].(map[string]any)
	for p, item := range paths {
		for m, o := range item.(map[string]any) {
			op := o.(map[string]any)
			base := "/paths/" + pointerEscape(p) + "/" + m
			params, _ := op["parameters"].([]any)
			for i := range params {
				ptrs = append(ptrs, fmt.Sprintf("%s/parameters/%d/schema", base, i))
			}
			rb, _ := op["requestBody"].(map[string]any)
			content, _ := rb["content"].(map[string]any)
			for mt := range content {
				ptrs = append(ptrs, base+"/requestBody/content/"+pointerEscape(mt)+"/schema")
			}
			responses, _ := op["responses"].(map[string]any)
			for st, r := range responses {
				content, _ := r.(map[string]any)["content"].(map[string]any)
				for mt := range content {
					ptrs = append(ptrs, base+"/responses/"+st+"/content/"+pointerEscape(mt)+"/schema")
				}
			}
		}
	}
	for _, p := range ptrs {
		if _, err := d.schema(p); err != nil {
			return 0, fmt.Errorf("%s: %v", p, err)
		}
	}
	return len(ptrs), nil
}
