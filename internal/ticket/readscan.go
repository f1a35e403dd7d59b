package ticket

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// readCount is the number of columns of readCols.
const readCount = 24

// readScanner scans rows of readCols and converts them here:
// database/sql converts a typed destination through reflection for every
// integer column (24 columns × 51 rows a list page); the columns come into
// untyped values reused from row to row.
type readScanner struct {
	vals [readCount]any
	ptrs [readCount]any
	cols [readCount]readCol
	// sort: the tags and followers come unordered (SQLite, readCols).
	sort bool
	// rows is how many rows the scan expects: the requesters, tags,
	// followers, nullable ids and times of that many rows are carved from
	// one allocation each (a slab per kind, see carve) where each row made
	// up to eight of its own; fewer allocations, less GC on a list page.
	rows      int
	people    []Person
	tags      []string
	followers []int64
	ids       []int64
	times     []time.Time
}

// carve is the next n elements of *slab, which starts anew with room for
// at least chunk when it has not n left. The result's capacity is its
// length, so an append to one ticket's list reallocates it and never
// writes into the next ticket's.
func carve[T any](slab *[]T, n, chunk int) []T {
	if cap(*slab)-len(*slab) < n {
		*slab = make([]T, 0, max(n, chunk))
	}
	i := len(*slab)
	*slab = (*slab)[:i+n]
	return (*slab)[i : i+n : i+n]
}

// readCol is one column's value: NULL, an integer, or text.
type readCol struct {
	kind uint8
	n    int64
	s    string
}

const (
	colNull = iota
	colInt
	colText
)

// newReadScanner is a scanner for about rows rows (at least 1).
func newReadScanner(d db.Dialect, rows int) *readScanner {
	sc := &readScanner{sort: d == db.SQLite, rows: max(rows, 1)}
	for i := range sc.vals {
		sc.ptrs[i] = &sc.vals[i]
	}
	return sc
}

func (sc *readScanner) scan(s scanner) (Ticket, error) {
	if err := s.Scan(sc.ptrs[:]...); err != nil {
		return Ticket{}, err
	}
	for i, x := range sc.vals {
		switch x := x.(type) {
		case nil:
			sc.cols[i] = readCol{kind: colNull}
		case int64:
			sc.cols[i] = readCol{kind: colInt, n: x}
		case string:
			sc.cols[i] = readCol{kind: colText, s: x}
		case []byte:
			sc.cols[i] = readCol{kind: colText, s: string(x)}
		default:
			return Ticket{}, fmt.Errorf("ticket: column %d is %T", i, x)
		}
	}
	v := &sc.cols
	var t Ticket
	var err error
	num := func(i int) int64 {
		switch c := &v[i]; c.kind {
		case colInt:
			return c.n
		case colNull:
			return 0
		}
		if err == nil {
			err = fmt.Errorf("ticket: column %d is not an integer", i)
		}
		return 0
	}
	text := func(i int) string {
		switch c := &v[i]; c.kind {
		case colText:
			return c.s
		case colNull:
			return ""
		}
		if err == nil {
			err = fmt.Errorf("ticket: column %d is an integer, not text", i)
		}
		return ""
	}
	isNull := func(i int) bool { return v[i].kind == colNull }
	ptr := func(i int) *int64 {
		if isNull(i) {
			return nil
		}
		p := &carve(&sc.ids, 1, 4*sc.rows)[0]
		*p = num(i)
		return p
	}
	at := func(i int) *time.Time {
		if isNull(i) {
			return nil
		}
		p := &carve(&sc.times, 1, sc.rows)[0]
		*p = db.Time(num(i))
		return p
	}
	t.ID = num(0)
	t.Subject = text(1)
	t.Status = Status(text(2))
	t.Priority = text(3)
	t.Type = text(4)
	t.Channel = text(5)
	t.RequesterID = num(6)
	t.OrganizationID = ptr(7)
	t.AssigneeID = ptr(8)
	t.TeamID = ptr(9)
	t.Language = text(10)
	fields := text(11)
	t.MergedIntoID = ptr(12)
	t.ExternalID = text(13)
	t.Version = num(14)
	t.CommentCount = int(num(15))
	t.CreatedAt = db.Time(num(16))
	t.UpdatedAt = db.Time(num(17))
	t.SolvedAt = at(18)
	t.ClosedAt = at(19)
	tags, followers := text(20), text(21)
	if !isNull(22) {
		p := &carve(&sc.people, 1, sc.rows)[0]
		*p = Person{ID: t.RequesterID, Type: "customer", Name: text(22), Email: text(23)}
		t.Requester = p
	}
	if err != nil {
		return t, err
	}
	t.CustomFields = map[string]any{}
	if fields != "" && fields != "{}" {
		// Into a map of its own: the address of t.CustomFields would move
		// every row's Ticket to the heap, fields or not.
		cf := t.CustomFields
		_ = json.Unmarshal([]byte(fields), &cf)
		t.CustomFields = cf
	}
	t.Tags = []string{}
	if tags != "" {
		// Tags cannot hold a comma (tagRE).
		t.Tags = carve(&sc.tags, strings.Count(tags, ",")+1, 4*sc.rows)
		k := 0
		for tag := range strings.SplitSeq(tags, ",") {
			t.Tags[k] = tag
			k++
		}
		if sc.sort {
			slices.Sort(t.Tags)
		}
	}
	t.FollowerIDs = []int64{}
	if followers != "" {
		t.FollowerIDs = carve(&sc.followers, strings.Count(followers, ",")+1, 2*sc.rows)
		k := 0
		for f := range strings.SplitSeq(followers, ",") {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return t, fmt.Errorf("ticket: follower %q: %w", f, err)
			}
			t.FollowerIDs[k] = id
			k++
		}
		if sc.sort {
			slices.Sort(t.FollowerIDs)
		}
	}
	return t, nil
}
