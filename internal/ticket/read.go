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
	sqliteReadCols   = readColumns(db.SQLite)
	postgresReadCols = readColumns(db.Postgres)
)

// readColumns are readCols for a dialect. From 2026-12-06 01:05 until
// modernc.org/sqlite v1.63.0, SQLite's were packed into one text column,
// which saved the connection mutex that driver took on every column call;
// with connections opened NOMUTEX the columns read one by one cost × 0.87–0.90
// of the packed row and its cutting apart (docs/benchmarks.md, 2026-12-06
// 14:10).
func readColumns(d db.Dialect) string {
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
	return tf + `,
	` + requesterCols
}

// requesterCols are the requester's name and first email: the copy the
// write path keeps on the row (migration 0098), read without touching the
// customer's rows; the subqueries only where no copy is kept (a NULL
// name), which both engines evaluate lazily.
var requesterCols = `COALESCE(t.requester_name, (SELECT rc.name FROM customers rc WHERE rc.id = t.requester_id)),
	CASE WHEN t.requester_name IS NULL THEN ` + firstEmailOf("t.requester_id") + ` ELSE t.requester_email END`

// pgReadByID reads the tickets of an array of ids (the argument three
// times) in readCols' columns on PostgreSQL, the tags and followers of all
// of them aggregated in one pass each and joined: as subqueries of each
// row, a page of 26 ran 52 of them, each an index scan and a sort of its
// own, ≈ 0.2 of the page's 0.3–0.4 ms (psql, 23,000 tickets; × 0.6 as
// joined, docs/benchmarks/results-2026-12-08.md).
var pgReadByID = `SELECT ` + ticketCols + `, g.tags, fo.followers, ` + requesterCols + ` FROM tickets t
	LEFT JOIN (SELECT ticket_id, string_agg(tag, ',' ORDER BY tag) AS tags FROM ticket_tags
		WHERE ticket_id = ANY(CAST(? AS BIGINT[])) GROUP BY ticket_id) g ON g.ticket_id = t.id
	LEFT JOIN (SELECT ticket_id, string_agg(agent_id::text, ',' ORDER BY agent_id) AS followers FROM ticket_followers
		WHERE ticket_id = ANY(CAST(? AS BIGINT[])) GROUP BY ticket_id) fo ON fo.ticket_id = t.id
	WHERE t.id = ANY(CAST(? AS BIGINT[]))`

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
