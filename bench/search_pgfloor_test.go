package bench

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// The PostgreSQL floor of each search class: the bare statements the
// search stands on, timed on one connection (wall time and the backend's
// CPU per statement), so each Ombud figure reads as a multiple of what
// PostgreSQL itself needs. A text class's floor is its tsquery's newest 25
// comments (the GIN index or the primary key backwards, as the planner
// chooses) and the exact count of its matching comments; the other
// classes' floor is the one index lookup that answers them.

// floorQuery is one bare statement of a class; arg turns the class's
// picked value into its argument.
type floorQuery struct {
	label string
	sql   string
}

const tsq = `websearch_to_tsquery('simple', $1)`

// floorQueries are the bare statements per class (by the class's name).
func floorQueries(class string) []floorQuery {
	text := []floorQuery{
		{"newest 25 comments", `SELECT id FROM comments WHERE search_vec @@ ` + tsq + ` ORDER BY id DESC LIMIT 25`},
		{"count(*) comments", `SELECT count(*) FROM comments WHERE search_vec @@ ` + tsq},
	}
	switch class {
	case "rare token (order number)", "one common word", "two common words", "exact phrase", "two words never together":
		return text
	case "field only (status tag)":
		return []floorQuery{{"newest 25 open with the tag", `SELECT t.id FROM tickets t WHERE t.status = 'open'
			AND EXISTS (SELECT 1 FROM ticket_tags g WHERE g.ticket_id = t.id AND g.tag = split_part($1, ':', 3)) ORDER BY t.updated_at DESC, t.id DESC LIMIT 25`}}
	case "field terms plus a word":
		return []floorQuery{{"newest 25 comments of open tickets", `SELECT c.id FROM comments c JOIN tickets t ON t.id = c.ticket_id
			WHERE t.status = 'open' AND c.search_vec @@ websearch_to_tsquery('simple', split_part($1, ' ', 2)) ORDER BY c.id DESC LIMIT 25`}}
	case "tag plus a word":
		return []floorQuery{{"newest 25 comments of tagged tickets", `SELECT c.id FROM comments c
			WHERE EXISTS (SELECT 1 FROM ticket_tags g WHERE g.ticket_id = c.ticket_id AND g.tag = substr(split_part($1, ' ', 1), 5))
			AND c.search_vec @@ websearch_to_tsquery('simple', split_part($1, ' ', 2)) ORDER BY c.id DESC LIMIT 25`}}
	case "requester name":
		return []floorQuery{{"newest 25 tickets of the named customers", `SELECT t.id FROM tickets t WHERE t.requester_id IN
			(SELECT id FROM customers WHERE to_tsvector('simple', name) @@ ` + tsq + `) ORDER BY t.id DESC LIMIT 25`}}
	case "requester email":
		return []floorQuery{{"newest 25 tickets of the email's customer", `SELECT t.id FROM tickets t WHERE t.requester_id IN
			(SELECT customer_id FROM customer_identities WHERE type = 'email' AND value = $1) ORDER BY t.id DESC LIMIT 25`}}
	case "ticket number (#N)", "ticket number (N)":
		return []floorQuery{{"the ticket by id", `SELECT id FROM tickets WHERE id = ltrim($1, '#')::bigint`}}
	}
	return nil
}

// pgFloor times every class's bare statements reps times each on one
// connection of d and prints wall time (p50, p95) and the backend's CPU
// per statement.
func pgFloor(d *sql.DB, qs corpusQueries, reps int) {
	ctx := context.Background()
	conn, err := d.Conn(ctx)
	if err != nil {
		fmt.Printf("floor: %v\n", err)
		return
	}
	defer conn.Close()
	var backend int
	if err := conn.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		fmt.Printf("floor: %v\n", err)
		return
	}
	fmt.Printf("\nPostgreSQL floor, %d runs per statement on one connection (load %s)\n", reps, loadAvg())
	fmt.Printf("%-30s %-40s %9s %9s %11s %10s\n", "class", "statement", "p50", "p95", "CPU/stmt", "rows/count")
	for _, c := range qs.classes() {
		for _, f := range floorQueries(c.name) {
			r := rand.New(rand.NewPCG(1, 9))
			var lat []time.Duration
			var last string
			cpu0 := procCPU(backend)
			for range reps {
				v := c.pick(r)
				t0 := time.Now()
				// Planned for its value each time (db.PlanEach): a
				// prepared statement's generic plan would be one plan for
				// rare and common words alike.
				rows, err := conn.QueryContext(ctx, f.sql, db.PlanEach, v)
				if err != nil {
					fmt.Printf("floor %s %q: %v\n", c.name, v, err)
					break
				}
				n := 0
				for rows.Next() {
					n++
					if strings.HasPrefix(f.label, "count") {
						var k int64
						_ = rows.Scan(&k)
						last = fmt.Sprint(k)
					}
				}
				rows.Close()
				lat = append(lat, time.Since(t0))
				if !strings.HasPrefix(f.label, "count") {
					last = fmt.Sprintf("(%d rows)", n)
				}
			}
			if len(lat) == 0 {
				continue
			}
			cpu := (procCPU(backend) - cpu0) / float64(len(lat))
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			p := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))].Round(10 * time.Microsecond) }
			fmt.Printf("%-30.30s %-40.40s %9s %9s %9.2fms %10s\n", c.name, f.label, p(.5), p(.95), cpu*1000, last)
		}
	}
}

// pgStatements resets pg_stat_statements (reset) and prints the statements
// run since, by total time (top): PostgreSQL's share of a class's searches.
// OMBUD_BENCH_PG_TOP sets how many statements (default 4).
func pgStatements(d *sql.DB) (reset func(), top func(searches int)) {
	if _, err := d.Exec(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		fmt.Printf("pg_stat_statements: %v\n", err)
		return func() {}, func(int) {}
	}
	reset = func() { _, _ = d.Exec(`SELECT pg_stat_statements_reset()`) }
	top = func(searches int) {
		rows, err := d.Query(`SELECT calls, total_exec_time, shared_blks_hit + shared_blks_read, regexp_replace(query, '\s+', ' ', 'g')
			FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT $1`, envInt("OMBUD_BENCH_PG_TOP", 4))
		if err != nil {
			fmt.Printf("pg_stat_statements: %v\n", err)
			return
		}
		defer rows.Close()
		var all float64
		for rows.Next() {
			var calls int64
			var ms, blks float64
			var q string
			if err := rows.Scan(&calls, &ms, &blks, &q); err != nil {
				return
			}
			all += ms
			fmt.Printf("    %6.2f ms/search %5.2f calls/search %8.0f blocks/call  %.200s\n", ms/float64(searches),
				float64(calls)/float64(searches), blks/float64(max(calls, 1)), q)
		}
	}
	return reset, top
}
