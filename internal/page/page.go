// Package page implements list pagination: a limit and an opaque keyset
// cursor, so deep pages cost the same as the first and concurrent inserts
// neither repeat nor skip rows.
package page

import (
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/jsonenc"
)

// Limits for every list.
const (
	DefaultLimit = 25
	MaxLimit     = 100
)

// Cursor is the position after the last row of a page: the sort key of that
// row (a time in milliseconds, a rank or a name) and its id as tie-breaker.
type Cursor struct {
	Key  int64  `json:"k,omitempty"`
	Str  string `json:"s,omitempty"`
	ID   int64  `json:"i"`
	Sort string `json:"o,omitempty"` // the sort the cursor belongs to
}

// Encode makes the opaque cursor string.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode parses a cursor from a request; "" is the first page.
func Decode(s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 512 {
		return nil, apperr.InvalidField("cursor", "is not a cursor returned by this list")
	}
	var c Cursor
	if err := json.Unmarshal(b, &c); err != nil || c.ID <= 0 {
		return nil, apperr.InvalidField("cursor", "is not a cursor returned by this list")
	}
	return &c, nil
}

// Request is a validated page request.
type Request struct {
	Limit  int
	Cursor *Cursor
}

// Parse validates raw limit and cursor strings from a query string.
func Parse(limit, cursor string) (Request, error) {
	r := Request{Limit: DefaultLimit}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxLimit {
			return r, apperr.InvalidField("limit", "must be a whole number from 1 to 100")
		}
		r.Limit = n
	}
	c, err := Decode(cursor)
	if err != nil {
		return r, err
	}
	r.Cursor = c
	return r, nil
}

// List is one page of results.
type List[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
	// Total, when a list tells it, is how many rows match in all;
	// TotalEstimated marks it as an estimate (searches for common words,
	// where counting exactly would cost more than the search).
	Total          *int64 `json:"total,omitempty"`
	TotalEstimated bool   `json:"total_estimated,omitempty"`
}

// All is a list of every row, one page with no next one; the rows are
// never null in JSON, as every list answers "data":[…].
func All[T any](rows []T) List[T] {
	if rows == nil {
		rows = []T{}
	}
	return List[T]{Data: rows}
}

// Trim turns limit+1 fetched rows into a page; next builds the cursor from
// the last row kept.
func Trim[T any](rows []T, limit int, next func(T) Cursor) List[T] {
	if rows == nil {
		rows = []T{}
	}
	if len(rows) <= limit {
		return List[T]{Data: rows}
	}
	rows = rows[:limit]
	s := next(rows[len(rows)-1]).Encode()
	return List[T]{Data: rows, NextCursor: &s}
}

// AppendJSON appends l as encoding/json writes it (without HTML escaping),
// each row written by item; ok is false when item could not write a row
// (the caller then encodes l through encoding/json).
func AppendJSON[T any](b []byte, l *List[T], item func([]byte, *T) ([]byte, bool)) (_ []byte, ok bool) {
	if l.Data == nil {
		b = append(b, `{"data":null`...)
	} else {
		b = append(b, `{"data":[`...)
		for i := range l.Data {
			if i > 0 {
				b = append(b, ',')
			}
			if b, ok = item(b, &l.Data[i]); !ok {
				return b, false
			}
		}
		b = append(b, ']')
	}
	b = append(b, `,"next_cursor":`...)
	if l.NextCursor == nil {
		b = append(b, "null"...)
	} else {
		b = jsonenc.String(b, *l.NextCursor)
	}
	if l.Total != nil {
		b = append(b, `,"total":`...)
		b = jsonenc.Int(b, *l.Total)
	}
	if l.TotalEstimated {
		b = append(b, `,"total_estimated":true`...)
	}
	return append(b, '}'), true
}
