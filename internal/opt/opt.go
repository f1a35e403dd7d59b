// Package opt provides the three-state field a JSON PATCH needs: absent
// (leave as is), null (clear) or a value (set).
package opt

import (
	"bytes"
	"encoding/json"
)

// Value is a PATCH field.
type Value[T any] struct {
	Set  bool // the field was present
	Null bool // it was null
	V    T
}

// Of returns a set value.
func Of[T any](v T) Value[T] { return Value[T]{Set: true, V: v} }

// Null returns a present null.
func Null[T any]() Value[T] { return Value[T]{Set: true, Null: true} }

// UnmarshalJSON records presence and nullness.
func (o *Value[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// MarshalJSON writes null or the value.
func (o Value[T]) MarshalJSON() ([]byte, error) {
	if !o.Set || o.Null {
		return []byte("null"), nil
	}
	return json.Marshal(o.V)
}

// Ptr returns nil for null, a pointer to the value otherwise.
func (o Value[T]) Ptr() *T {
	if o.Null || !o.Set {
		return nil
	}
	v := o.V
	return &v
}
