-- Monthly duration histograms (docs/reports.md): each one-dimension
-- histogram of report_hist (not the pairs) summed per UTC calendar month
-- (month: (year − 1970) · 12 + month − 1), so a table grouped by agent over
-- a year decodes 12 rows per agent and metric instead of 365. The months
-- of histograms counted before this migration are summed from report_hist
-- by the refresher, one dimension a step (report.Service.FillMonths):
-- report_month_fill holds the dimensions still to do. While a row exists,
-- reports read the daily rows as before. No histograms yet: nothing to fill.
CREATE TABLE report_hist_month (
    dim    TEXT NOT NULL,
    value  TEXT NOT NULL,
    metric TEXT NOT NULL,
    month  BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    counts TEXT NOT NULL,
    PRIMARY KEY (dim, value, metric, month)
);
CREATE TABLE report_month_fill (
    dim TEXT NOT NULL PRIMARY KEY
);
INSERT INTO report_month_fill (dim) SELECT DISTINCT dim FROM report_hist WHERE dim NOT LIKE '%+%';
