-- A comment's ticket without its row. The searches' comment walks and
-- samples read up to thousands of comments for their ticket ids alone,
-- and each was a seek into the wide comments table (a page of bodies per
-- comment: a third of a filtered search's time at 1M tickets). This
-- narrow index answers id → ticket_id densely; the searches name it
-- (INDEXED BY, internal/ticket/commentindex.go) since the planner prefers
-- the rowid. Built in one pass: ≈ 3 s of CPU for 4M comments.
CREATE INDEX comments_id_ticket ON comments(id, ticket_id);
