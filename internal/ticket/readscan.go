package ticket

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/db"
)

// readCount is the number of columns of readCols.
const readCount = 24

// readScanner scans rows of readCols into untyped values and converts
// them here: database/sql converts a typed destination through reflection
// for every integer column (24 columns × 51 rows a list page), and the
// destinations are reused from row to row.
type readScanner struct {
	vals [readCount]any
	ptrs [readCount]any
	// sort: the tags and followers come unordered (SQLite, readCols).
	sort bool
}

func newReadScanner(d db.Dialect) *readScanner {
	sc := &readScanner{sort: d == db.SQLite}
	for i := range sc.vals {
		sc.ptrs[i] = &sc.vals[i]
	}
	return sc
}

func (sc *readScanner) scan(s scanner) (Ticket, error) {
	if err := s.Scan(sc.ptrs[:]...); err != nil {
		return Ticket{}, err
	}
	v := &sc.vals
	var t Ticket
	var err error
	num := func(i int) int64 {
		switch x := v[i].(type) {
		case int64:
			return x
		case nil:
			return 0
		}
		if err == nil {
			err = fmt.Errorf("ticket: column %d is %T, not an integer", i, v[i])
		}
		return 0
	}
	text := func(i int) string {
		switch x := v[i].(type) {
		case string:
			return x
		case []byte:
			return string(x)
		case nil:
			return ""
		}
		if err == nil {
			err = fmt.Errorf("ticket: column %d is %T, not text", i, v[i])
		}
		return ""
	}
	ptr := func(i int) *int64 {
		if v[i] == nil {
			return nil
		}
		n := num(i)
		return &n
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
	if v[18] != nil {
		at := db.Time(num(18))
		t.SolvedAt = &at
	}
	if v[19] != nil {
		at := db.Time(num(19))
		t.ClosedAt = &at
	}
	tags, followers := text(20), text(21)
	if v[22] != nil {
		t.Requester = &Person{ID: t.RequesterID, Type: "customer", Name: text(22), Email: text(23)}
	}
	if err != nil {
		return t, err
	}
	t.CustomFields = map[string]any{}
	if fields != "" && fields != "{}" {
		_ = json.Unmarshal([]byte(fields), &t.CustomFields)
	}
	t.Tags = []string{}
	if tags != "" {
		// Tags cannot hold a comma (tagRE).
		t.Tags = strings.Split(tags, ",")
		if sc.sort {
			slices.Sort(t.Tags)
		}
	}
	t.FollowerIDs = []int64{}
	if followers != "" {
		t.FollowerIDs = make([]int64, 0, strings.Count(followers, ",")+1)
		for f := range strings.SplitSeq(followers, ",") {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return t, fmt.Errorf("ticket: follower %q: %w", f, err)
			}
			t.FollowerIDs = append(t.FollowerIDs, id)
		}
		if sc.sort {
			slices.Sort(t.FollowerIDs)
		}
	}
	return t, nil
}
