-- The index comments_id_ticket ON comments(id, ticket_id): each comment's
-- ticket read without its row, for the searches' comment walks and
-- samples (internal/ticket/commentindex.go). Built by the migration runner
-- after the migrations, outside their transactions, with its sort in
-- temporary files (internal/db/sortedindex.go): in this transaction it
-- would sort 4M comments in memory at 1M tickets.
SELECT 1;
