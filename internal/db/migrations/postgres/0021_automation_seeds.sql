-- Records which of Ombud's starter rules an install has been given
-- (automation.SeedDefaults), so that rules an admin deleted are not
-- brought back on the next start.
CREATE TABLE automation_seeds (
    name TEXT PRIMARY KEY,
    at   BIGINT NOT NULL
);
