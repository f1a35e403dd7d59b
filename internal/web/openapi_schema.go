package web

import (
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"time"
)

// schemaGen turns Go types into JSON Schema (the 2020-12 dialect OpenAPI
// 3.1 uses) the way encoding/json writes and reads them:
//
//   - a field is required unless it has omitempty or omitzero;
//   - a pointer, slice or map without omitempty may be sent as null (a nil
//     one is written as null), so its schema allows null; with omitempty a
//     nil one is left out instead, and a present one is never null;
//   - opt.Value (a PATCH field) is its value or null;
//   - enumerations come from enumTypes and enumFields (openapi_enums.go),
//     since Go has no enum type to reflect on.
//
// Replies allow extra properties (a client must tolerate fields added
// later); request bodies do not, as the API refuses unknown fields.
type schemaGen struct {
	schemas map[string]any
	request bool
	// taken are the component names the other mode already used for a
	// different schema: request-mode components of a type also used in
	// replies get an "Input" suffix.
	taken map[string]bool
}

// ref describes t, registering named structs as components.
func (g *schemaGen) ref(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := g.special(t); ok {
		return s
	}
	if vals, ok := enumTypes[t]; ok {
		return map[string]any{"type": "string", "enum": anySlice(vals)}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return map[string]any{"type": "integer"}
	case reflect.Int64, reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": g.nonNull(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.nonNull(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := g.name(t)
		ref := map[string]any{"$ref": "#/components/schemas/" + name}
		if _, ok := g.schemas[name]; ok {
			return ref
		}
		g.schemas[name] = map[string]any{} // placeholder for recursive types
		props := map[string]any{}
		var required []string
		g.fields(t, "", props, &required, false)
		s := map[string]any{"type": "object", "properties": props}
		if g.request {
			s["additionalProperties"] = false
			required = requestRequired[name]
		}
		if len(required) > 0 {
			slices.Sort(required)
			s["required"] = required
		}
		g.schemas[name] = s
		return ref
	}
	return map[string]any{}
}

// nonNull is the schema of a value inside a list or map: elements that are
// pointers may still be nil.
func (g *schemaGen) nonNull(t reflect.Type) map[string]any {
	s := g.ref(t)
	if t.Kind() == reflect.Pointer || ((t.Kind() == reflect.Slice || t.Kind() == reflect.Map) && t.Elem().Kind() != reflect.Uint8) {
		return nullable(s)
	}
	return s
}

// special covers the types encoding/json does not write as their kind.
func (g *schemaGen) special(t reflect.Type) (map[string]any, bool) {
	switch {
	case t == reflect.TypeFor[time.Time]():
		return map[string]any{"type": "string", "format": "date-time"}, true
	case t == reflect.TypeFor[json.RawMessage]():
		return map[string]any{}, true
	case t.Kind() == reflect.Struct && strings.HasPrefix(t.Name(), "Value[") && t.PkgPath() == "github.com/ombud/ombud/internal/opt":
		f, _ := t.FieldByName("V")
		return nullable(g.ref(f.Type)), true
	}
	if t.Kind() != reflect.String && reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextMarshaler]()) {
		return map[string]any{"type": "string"}, true
	}
	// A scalar with its own MarshalJSON (schedule.Clock: an int written
	// as "HH:MM") is documented as what its zero value is written as.
	if t.Kind() != reflect.Struct && t.Kind() != reflect.Pointer && t.Implements(reflect.TypeFor[json.Marshaler]()) {
		if b, err := reflect.Zero(t).Interface().(json.Marshaler).MarshalJSON(); err == nil && len(b) > 0 && b[0] == '"' {
			return map[string]any{"type": "string"}, true
		}
	}
	return nil, false
}

// fields adds t's JSON fields to props, promoting embedded structs as
// encoding/json does. optional marks fields of an embedded pointer, which
// vanish when it is nil.
func (g *schemaGen) fields(t reflect.Type, owner string, props map[string]any, required *[]string, optional bool) {
	if owner == "" {
		owner = g.name(t)
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		jname, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && jname == "" {
			et := f.Type
			ptr := et.Kind() == reflect.Pointer
			if ptr {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				g.fields(et, owner, props, required, optional || ptr)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if jname == "" {
			jname = f.Name
		}
		omit := hasOpt(opts, "omitempty") || hasOpt(opts, "omitzero")
		var s map[string]any
		switch {
		case hasOpt(opts, "string"):
			s = map[string]any{"type": "string"}
		default:
			s = g.ref(f.Type)
			k := f.Type.Kind()
			canNil := k == reflect.Pointer || k == reflect.Map || (k == reflect.Slice && f.Type.Elem().Kind() != reflect.Uint8) || k == reflect.Interface
			if canNil && !omit && !neverNull[owner+"."+jname] && !neverNull[genericBase(owner)+"."+jname] {
				s = nullable(s)
			} else if canNil && omit && nullWhenPresent[owner+"."+jname] {
				s = nullable(s)
			}
		}
		if vals, ok := enumFields[owner+"."+jname]; ok {
			s = withEnum(s, vals)
		}
		if d := f.Tag.Get("doc"); d != "" {
			s = withDescription(s, d)
		}
		props[jname] = s
		if !omit && !optional {
			*required = append(*required, jname)
		}
	}
}

func (g *schemaGen) name(t reflect.Type) string {
	name := schemaName(t)
	if g.request && g.taken[name] {
		return name + "Input"
	}
	return name
}

// genericBase is a generic instance's component name without its type
// argument: page.List_ticket.Ticket → page.List.
func genericBase(name string) string {
	base, _, _ := strings.Cut(name, "_")
	return base
}

func hasOpt(opts, o string) bool {
	for _, x := range strings.Split(opts, ",") {
		if x == o {
			return true
		}
	}
	return false
}

// nullable lets s be null as well.
func nullable(s map[string]any) map[string]any {
	if len(s) == 0 {
		return s // any value, null included
	}
	if typ, ok := s["type"].(string); ok {
		out := clone(s)
		out["type"] = []any{typ, "null"}
		if e, ok := s["enum"].([]any); ok {
			out["enum"] = append(slices.Clone(e), nil)
		}
		return out
	}
	if _, ok := s["$ref"]; ok {
		return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
	}
	if alts, ok := s["anyOf"].([]any); ok {
		for _, a := range alts {
			if m, _ := a.(map[string]any); m["type"] == "null" {
				return s
			}
		}
	}
	return s
}

// withEnum restricts a string schema (or a list of strings) to vals.
func withEnum(s map[string]any, vals []string) map[string]any {
	out := clone(s)
	if out["type"] == "array" || slices.Equal(typeList(out), []any{"array", "null"}) {
		out["items"] = withEnum(out["items"].(map[string]any), vals)
		return out
	}
	e := anySlice(vals)
	if slices.Contains(typeList(out), any("null")) {
		e = append(e, nil)
	}
	if _, ok := out["anyOf"]; ok {
		return out
	}
	out["enum"] = e
	return out
}

func withDescription(s map[string]any, d string) map[string]any {
	out := clone(s)
	out["description"] = d
	return out
}

func typeList(s map[string]any) []any {
	switch v := s["type"].(type) {
	case []any:
		return v
	case string:
		return []any{v}
	}
	return nil
}

func clone(s map[string]any) map[string]any {
	out := make(map[string]any, len(s)+1)
	for k, v := range s {
		out[k] = v
	}
	return out
}

func anySlice[T ~string](vals []T) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}
