package ticket

import (
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/db"
)

// readCols are ticketCols plus everything a ticket answer shows beside the
// row: its tags and followers (aggregated in order) and the requester's
// name and first email. Get reads a ticket in one statement where it took
// four (the row, tags, followers, requester). readScanner (readscan.go)
// converts its columns in this order.
func readCols(d db.Dialect) string {
	if d == db.SQLite {
		return sqliteReadCols
	}
	return postgresReadCols
}

// The column lists, made once: a ticket get built them per call.
var (
	sqliteReadCols   = packedCols(unpackedCols(db.SQLite))
	postgresReadCols = unpackedCols(db.Postgres)
)

// packedCols is one column holding every column of cols, for readScanner
// to cut apart: an integer column as its digits and a comma, a text column
// as its length in bytes, a colon and its text; NULL as the empty digits
// or length. modernc's SQLite takes the connection's mutex for every
// column call and asks each text column's declared type on every row
// (about 70 mutex round trips a row of 24 columns): a third of a list
// page's CPU, where concat builds the row in a few µs. concat copies by
// length, so a NUL in a text cuts nothing. The enum columns (packedEnums)
// go as one letter for a listed value, else in the text form: a CASE is
// a few comparisons where the length was a function call and an integer
// turned into text on every row.
func packedCols(cols string) string {
	var b strings.Builder
	b.WriteString("concat(")
	for i, c := range splitCols(cols) {
		if i > 0 {
			b.WriteString(", ")
		}
		switch {
		case intCols&(1<<i) != 0:
			b.WriteString(c + ", ','")
		case packedEnums[i] != nil:
			// BINARY whatever the column's collation: a letter stands for
			// exactly its value's bytes.
			b.WriteString("CASE " + c + " COLLATE BINARY")
			for k, v := range packedEnums[i][:min(len(packedEnums[i]), maxEnumCodes)] {
				fmt.Fprintf(&b, " WHEN '%s' THEN '%c'", strings.ReplaceAll(v, "'", "''"), enumCode+k)
			}
			b.WriteString(" ELSE concat(octet_length(" + c + "), ':', " + c + ") END")
		default:
			b.WriteString("octet_length(" + c + "), ':', " + c)
		}
	}
	b.WriteString(")")
	return b.String()
}

// intCols are the integer columns of readCols, by position (a bit each).
const intCols = 1<<0 | 1<<6 | 1<<7 | 1<<8 | 1<<9 | 1<<12 | 1<<14 | 1<<15 | 1<<16 | 1<<17 | 1<<18 | 1<<19

// packedEnums are the values a packed row writes as a letter (enumCode
// for the first, then on), by column of readCols: status, priority, type
// and channel. A value outside them (none the schema's CHECKs allow
// today) is packed as any text is, with its length, so the format holds
// whatever the column holds; the lists only decide what is cheap. Copies,
// made once: the exported lists are variables.
var packedEnums = [readCount][]string{
	2: func() []string {
		var s []string
		for _, st := range Statuses {
			s = append(s, string(st))
		}
		return s
	}(),
	3: slices.Clone(Priorities),
	4: slices.Clone(Types),
	5: slices.Clone(Channels),
}

// enumCode is the letter of an enum's first listed value: a letter is
// neither a digit nor the colon a text's length and NULL start with. Past
// maxEnumCodes values (the letters' end) a value goes as text.
const (
	enumCode     = 'a'
	maxEnumCodes = 26
)

// splitCols splits a column list at its top-level commas.
func splitCols(cols string) []string {
	var out []string
	depth, start := 0, 0
	quoted := false
	for i := 0; i < len(cols); i++ {
		switch c := cols[i]; {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			out = append(out, strings.TrimSpace(cols[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(cols[start:]))
}

// unpackedCols are readCols as columns of their own.
func unpackedCols(d db.Dialect) string {
	// The requester as customer.Brief describes one: name, and the primary
	// (else first) email.
	tf := lockCols(d)
	if d == db.SQLite {
		// Without ORDER BY in the aggregates: SQLite builds a temporary
		// B-tree for each one, twice a row, though the primary keys
		// (ticket, tag) and (ticket, agent) already hold them in order.
		// readScanner sorts the lists instead.
		// The lists kept on the row (migration 0098) where kept.
		tf = ticketCols + `,
	COALESCE(t.tag_list, (SELECT group_concat(tag, ',') FROM ticket_tags tt WHERE tt.ticket_id = t.id)),
	COALESCE(t.follower_list, (SELECT group_concat(agent_id, ',') FROM ticket_followers tf WHERE tf.ticket_id = t.id))`
	}
	// The copy the write path keeps on the row (migration 0098), read
	// without touching the customer's rows; the subqueries only where no
	// copy is kept (a NULL name), which both engines evaluate lazily.
	return tf + `,
	COALESCE(t.requester_name, (SELECT rc.name FROM customers rc WHERE rc.id = t.requester_id)),
	CASE WHEN t.requester_name IS NULL THEN ` + firstEmailOf("t.requester_id") + ` ELSE t.requester_email END`
}

// firstEmailOf is the primary (else first) email of the customer whose id
// is customer (a column or a placeholder), as customer.Brief picks it and
// the ticket row keeps it (migration 0098); NULL without one.
func firstEmailOf(customer string) string {
	return `(SELECT ri.value FROM customer_identities ri WHERE ri.customer_id = ` + customer + ` AND ri.type = 'email' ORDER BY ri.is_primary DESC, ri.id LIMIT 1)`
}

// lockCols are ticketCols with the tags and followers, what a write loads.
func lockCols(d db.Dialect) string {
	tags := `(SELECT group_concat(tag, ',' ORDER BY tag) FROM ticket_tags tt WHERE tt.ticket_id = t.id)`
	followers := `(SELECT group_concat(agent_id, ',' ORDER BY agent_id) FROM ticket_followers tf WHERE tf.ticket_id = t.id)`
	if d == db.Postgres {
		tags = `(SELECT string_agg(tag, ',' ORDER BY tag) FROM ticket_tags tt WHERE tt.ticket_id = t.id)`
		followers = `(SELECT string_agg(agent_id::text, ',' ORDER BY agent_id) FROM ticket_followers tf WHERE tf.ticket_id = t.id)`
	}
	return ticketCols + `, ` + tags + `, ` + followers
}

// scanTicketLocked scans a row of lockCols.
func scanTicketLocked(s scanner) (Ticket, error) {
	var tags, followers sql.NullString
	t, err := scanTicket(extraScanner{s, []any{&tags, &followers}})
	if err != nil {
		return t, err
	}
	return t, splitTagsFollowers(&t, tags, followers)
}

func splitTagsFollowers(t *Ticket, tags, followers sql.NullString) error {
	if tags.String != "" {
		// Tags cannot hold a comma (tagRE).
		t.Tags = strings.Split(tags.String, ",")
	}
	if followers.String != "" {
		for _, f := range strings.Split(followers.String, ",") {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return fmt.Errorf("ticket: follower %q: %w", f, err)
			}
			t.FollowerIDs = append(t.FollowerIDs, id)
		}
	}
	return nil
}

// extraScanner appends destinations to a Scan call.
type extraScanner struct {
	s     scanner
	extra []any
}

func (e extraScanner) Scan(dest ...any) error { return e.s.Scan(append(dest, e.extra...)...) }

// joinUnique is ids without repeats, comma-separated, as setFollowers
// writes them (the list a create puts on its row, migration 0098).
func joinUnique(ids []int64) string {
	var b []byte
	for i, id := range ids {
		if slices.Contains(ids[:i], id) {
			continue
		}
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(b)
}
