-- Pair roll-ups (docs/reports.md): two filters at once among tag, team,
-- channel, priority, type and language read the one-dimension roll-up
-- tables, where each pair is a dimension of its own ("team+tag", value
-- "2 billing"). The facts counted before this migration are added by the
-- refresher in batches of tickets (report.Service.FillPairs), from the
-- facts, not the log: report_pair_fill holds the highest ticket id done so
-- far (-1: none; the NPS facts have ticket id 0). While the row exists,
-- reports with two filters read the facts as before; the refresher adds a
-- changed fact to the pairs only for tickets already filled. No facts yet:
-- nothing to fill.
CREATE TABLE report_pair_fill (
    after BIGINT NOT NULL
);
INSERT INTO report_pair_fill (after) SELECT -1 WHERE EXISTS (SELECT 1 FROM report_facts);
