package ticket

import "github.com/ombud/ombud/internal/db"

// The searches' comment walks and samples on SQLite read thousands of
// comments for their ticket ids alone (up to 4 × 300 walked rows, a sample's
// matches); through the rowid each is a seek into the comments table,
// whose leaf pages hold the bodies, so every id costs a page of its own
// (≈ 3 µs each at 1M tickets, a third of a filtered search). The narrow
// index comments_id_ticket (migration 0102, db.CommentTicketIndex) holds (id, ticket_id) densely,
// hundreds to a page. SQLite's planner always prefers the rowid for
// c.id = ?, so the statements that read no other column name the index.
// Every index SQLite keeps of a table holds the same rows, so the answers
// are those of the rowid read.

// commentTickets is the comments table, aliased as alias, read for its id
// and ticket_id only: through comments_id_ticket on SQLite unless the
// tests turned it off.
func (s *Service) commentTickets(alias string) string {
	from := "comments"
	if alias != "" {
		from += " " + alias
	}
	if s.db.Dialect() == db.SQLite && !s.noCommentIndex.Load() {
		from += " INDEXED BY " + db.CommentTicketIndex
		s.commentIndexRuns.Add(1)
	}
	return from
}
