-- Team pulse (eNPS) surveys of the support team (docs/feedback.md).
-- Anonymity by design: pulse_invites knows who was asked and whether they
-- answered (only to refuse a second answer), with no time of answering;
-- pulse_answers holds the answers with no agent, no time and a random id,
-- so neither a join nor the row order ties an answer to a person. Results
-- are aggregates of groups of at least min_group answers.
CREATE TABLE pulse_surveys (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    questions  TEXT NOT NULL DEFAULT '[]',
    comments   BOOLEAN NOT NULL DEFAULT TRUE,
    team_ids   TEXT NOT NULL DEFAULT '[]',
    opens_at   BIGINT NOT NULL,
    closes_at  BIGINT NOT NULL,
    min_group  INTEGER NOT NULL DEFAULT 5 CHECK (min_group >= 3),
    created_by BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE pulse_invites (
    survey_id BIGINT NOT NULL REFERENCES pulse_surveys(id) ON DELETE CASCADE,
    agent_id  BIGINT NOT NULL,
    team_id   BIGINT NOT NULL DEFAULT 0,
    answered  BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (survey_id, agent_id)
);
CREATE INDEX pulse_invites_agent ON pulse_invites(agent_id);

CREATE TABLE pulse_answers (
    id        INTEGER PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES pulse_surveys(id) ON DELETE CASCADE,
    team_id   BIGINT NOT NULL DEFAULT 0,
    score     INTEGER NOT NULL CHECK (score >= 0 AND score <= 10),
    ratings   TEXT NOT NULL DEFAULT '[]',
    comment   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pulse_answers_survey ON pulse_answers(survey_id, team_id);
