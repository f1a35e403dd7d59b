-- Quality assurance (docs/qa.md): scorecards, reviews, sampling,
-- calibration and coaching. A scorecard that a review has used is frozen:
-- editing it makes a new version (previous_id points back), so old reviews
-- keep the categories, weights and scales they were scored with.
CREATE TABLE qa_scorecards (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    team_id     BIGINT REFERENCES teams(id) ON DELETE SET NULL,
    channel     TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1,
    previous_id BIGINT REFERENCES qa_scorecards(id),
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_by  BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- scale: binary (0 fail, 1 pass), three (1–3) or five (1–5). A critical
-- category rated at its lowest fails the whole review.
CREATE TABLE qa_categories (
    id           INTEGER PRIMARY KEY,
    scorecard_id BIGINT NOT NULL REFERENCES qa_scorecards(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    weight       INTEGER NOT NULL CHECK (weight > 0),
    scale        TEXT NOT NULL CHECK (scale IN ('binary', 'three', 'five')),
    critical     BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX qa_categories_scorecard ON qa_categories(scorecard_id, position);

-- kind: review (counts in IQS), calibration (one reviewer's blind score in
-- a session) or agreed (the lead's agreed score of a session's ticket).
-- state: draft, submitted, acknowledged, disputed, resolved.
CREATE TABLE qa_reviews (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL DEFAULT 'review' CHECK (kind IN ('review', 'calibration', 'agreed')),
    ticket_id       BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    scorecard_id    BIGINT NOT NULL REFERENCES qa_scorecards(id),
    reviewer_id     BIGINT NOT NULL REFERENCES agents(id),
    agent_id        BIGINT NOT NULL REFERENCES agents(id),
    team_id         BIGINT,
    channel         TEXT NOT NULL DEFAULT '',
    assignment_id   BIGINT,
    calibration_id  BIGINT,
    state           TEXT NOT NULL DEFAULT 'draft',
    score           DOUBLE PRECISION,
    original_score  DOUBLE PRECISION,
    critical_failed BOOLEAN NOT NULL DEFAULT FALSE,
    comment         TEXT NOT NULL DEFAULT '',
    dispute_reason  TEXT NOT NULL DEFAULT '',
    resolution      TEXT NOT NULL DEFAULT '',
    resolution_note TEXT NOT NULL DEFAULT '',
    resolved_by     BIGINT,
    created_at      BIGINT NOT NULL,
    submitted_at    BIGINT,
    answered_at     BIGINT,
    resolved_at     BIGINT
);
CREATE INDEX qa_reviews_agent ON qa_reviews(agent_id, submitted_at);
CREATE INDEX qa_reviews_reviewer ON qa_reviews(reviewer_id, created_at);
CREATE INDEX qa_reviews_ticket ON qa_reviews(ticket_id);
CREATE INDEX qa_reviews_calibration ON qa_reviews(calibration_id);

-- rating NULL: not applicable (left out of the score).
CREATE TABLE qa_ratings (
    review_id   BIGINT NOT NULL REFERENCES qa_reviews(id) ON DELETE CASCADE,
    category_id BIGINT NOT NULL REFERENCES qa_categories(id),
    rating      INTEGER,
    comment     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (review_id, category_id)
);

-- One sampling settings row (the weekly job and "sample now" use it).
CREATE TABLE qa_sampling (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    enabled            BOOLEAN NOT NULL DEFAULT FALSE,
    per_agent          INTEGER NOT NULL DEFAULT 3,
    bad_csat           BOOLEAN NOT NULL DEFAULT FALSE,
    min_resolution_hrs INTEGER NOT NULL DEFAULT 0,
    reopened           BOOLEAN NOT NULL DEFAULT FALSE,
    channel            TEXT NOT NULL DEFAULT '',
    team_id            BIGINT,
    updated_at         BIGINT NOT NULL DEFAULT 0
);

-- A sampled ticket for a reviewer in a week (week: Monday 00:00 UTC, ms).
CREATE TABLE qa_assignments (
    id          INTEGER PRIMARY KEY,
    week        BIGINT NOT NULL,
    ticket_id   BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    agent_id    BIGINT NOT NULL REFERENCES agents(id),
    reviewer_id BIGINT NOT NULL REFERENCES agents(id),
    reason      TEXT NOT NULL DEFAULT '',
    review_id   BIGINT,
    created_at  BIGINT NOT NULL,
    UNIQUE (week, ticket_id)
);
CREATE INDEX qa_assignments_reviewer ON qa_assignments(reviewer_id, week);

-- The weeks the weekly job has sampled (it samples each week once).
CREATE TABLE qa_sampling_runs (
    week   BIGINT PRIMARY KEY,
    ran_at BIGINT NOT NULL,
    picked INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE qa_calibrations (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    scorecard_id BIGINT NOT NULL REFERENCES qa_scorecards(id),
    state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    created_by   BIGINT NOT NULL REFERENCES agents(id),
    created_at   BIGINT NOT NULL,
    closed_at    BIGINT
);

CREATE TABLE qa_calibration_tickets (
    calibration_id BIGINT NOT NULL REFERENCES qa_calibrations(id) ON DELETE CASCADE,
    ticket_id      BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    PRIMARY KEY (calibration_id, ticket_id)
);

CREATE TABLE qa_calibration_reviewers (
    calibration_id BIGINT NOT NULL REFERENCES qa_calibrations(id) ON DELETE CASCADE,
    reviewer_id    BIGINT NOT NULL REFERENCES agents(id),
    PRIMARY KEY (calibration_id, reviewer_id)
);

-- Coaching notes and one-to-one agenda items about an agent, optionally
-- about one review, with a follow-up date (YYYY-MM-DD, '' for none).
CREATE TABLE qa_coaching (
    id          INTEGER PRIMARY KEY,
    agent_id    BIGINT NOT NULL REFERENCES agents(id),
    review_id   BIGINT REFERENCES qa_reviews(id) ON DELETE SET NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('note', 'one_to_one')),
    body        TEXT NOT NULL,
    follow_up   TEXT NOT NULL DEFAULT '',
    done        BOOLEAN NOT NULL DEFAULT FALSE,
    author_id   BIGINT NOT NULL REFERENCES agents(id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX qa_coaching_agent ON qa_coaching(agent_id, created_at);
