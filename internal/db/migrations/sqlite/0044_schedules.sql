-- Agents' schedules (internal/schedule, docs/workforce.md). Times of day are
-- minutes from midnight in the agent's own zone (agents.time_zone); days are
-- YYYY-MM-DD in that zone. A shift may run past midnight (end_min > 1440).

-- An agent with a row here has a schedule: routing offers them tickets only
-- on shift. calendar_id's holidays are days off.
CREATE TABLE schedule_patterns (
    agent_id    BIGINT PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    calendar_id BIGINT REFERENCES business_calendars(id) ON DELETE SET NULL,
    updated_by  BIGINT,
    updated_at  BIGINT NOT NULL
);

-- The weekly pattern: at most one shift per weekday (0 = Sunday), with an
-- optional break of break_min minutes from break_start_min.
CREATE TABLE schedule_pattern_days (
    agent_id        BIGINT NOT NULL REFERENCES schedule_patterns(agent_id) ON DELETE CASCADE,
    weekday         INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_min       INTEGER NOT NULL,
    end_min         INTEGER NOT NULL,
    break_start_min INTEGER NOT NULL DEFAULT 0,
    break_min       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (agent_id, weekday)
);

-- One-off changes: the day's shift replaces the pattern's (off: a day off).
-- source is manual (a lead's edit) or proposal (an accepted proposed schedule).
CREATE TABLE schedule_overrides (
    agent_id        BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    day             TEXT NOT NULL,
    off             BOOLEAN NOT NULL DEFAULT FALSE,
    start_min       INTEGER NOT NULL DEFAULT 0,
    end_min         INTEGER NOT NULL DEFAULT 0,
    break_start_min INTEGER NOT NULL DEFAULT 0,
    break_min       INTEGER NOT NULL DEFAULT 0,
    note            TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL DEFAULT 'manual',
    updated_by      BIGINT,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (agent_id, day)
);

-- Time-off requests: the agent asks, a lead approves or declines.
CREATE TABLE schedule_time_off (
    id         INTEGER PRIMARY KEY,
    agent_id   BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    from_day   TEXT NOT NULL,
    to_day     TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL CHECK (status IN ('pending','approved','declined','cancelled')),
    decided_by BIGINT,
    decided_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX schedule_time_off_agent ON schedule_time_off(agent_id, to_day);
CREATE INDEX schedule_time_off_status ON schedule_time_off(status, to_day);

-- Shift swaps: on day the two agents trade their shifts, once a lead approves.
CREATE TABLE schedule_swaps (
    id           INTEGER PRIMARY KEY,
    day          TEXT NOT NULL,
    requester_id BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    partner_id   BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    note         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('pending','approved','declined','cancelled')),
    decided_by   BIGINT,
    decided_at   BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX schedule_swaps_day ON schedule_swaps(status, day);

-- Secret iCalendar feed per agent: the SHA-256 of the token in its URL.
CREATE TABLE schedule_feeds (
    agent_id   BIGINT PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
