-- Training and onboarding (internal/training, docs/workforce.md).
-- Dates (due_on, completed_on, expires_on) are YYYY-MM-DD in the agent's
-- own zone; times are Unix milliseconds UTC.

-- A course; validity_months > 0 makes it a certification that expires.
-- Completing a course with a skill adds the skill to the agent
-- (agent_skills, which routing reads); expiry takes it away again.
CREATE TABLE training_courses (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    link            TEXT NOT NULL DEFAULT '',
    validity_months INTEGER NOT NULL DEFAULT 0,
    skill           TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL
);

-- A course assigned to an agent. status: assigned, in_progress,
-- completed, expired.
CREATE TABLE training_assignments (
    id           INTEGER PRIMARY KEY,
    course_id    BIGINT NOT NULL REFERENCES training_courses(id) ON DELETE CASCADE,
    agent_id     BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    due_on       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('assigned','in_progress','completed','expired')),
    completed_on TEXT NOT NULL DEFAULT '',
    expires_on   TEXT NOT NULL DEFAULT '',
    assigned_by  BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX training_assignments_agent ON training_assignments (agent_id, status);

-- Reminders sent, one per assignment and stage (soon:DUE, overdue:DUE), so
-- the periodic job never mails twice.
CREATE TABLE training_reminders (
    assignment_id BIGINT NOT NULL REFERENCES training_assignments(id) ON DELETE CASCADE,
    stage         TEXT NOT NULL,
    sent_at       BIGINT NOT NULL,
    PRIMARY KEY (assignment_id, stage)
);

-- Onboarding checklist templates and their items: an owner role (e.g.
-- manager) or a named owner agent, and a due offset in days from the
-- new hire's start.
CREATE TABLE training_checklists (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE training_checklist_items (
    id           INTEGER PRIMARY KEY,
    checklist_id BIGINT NOT NULL REFERENCES training_checklists(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    title        TEXT NOT NULL,
    owner_role   TEXT NOT NULL DEFAULT '',
    owner_id     BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    offset_days  INTEGER NOT NULL DEFAULT 0
);

-- A checklist instantiated for a new hire: one row per item, with its due
-- date; done_by ticks it.
CREATE TABLE training_onboarding (
    id          INTEGER PRIMARY KEY,
    agent_id    BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    checklist   TEXT NOT NULL,
    title       TEXT NOT NULL,
    owner_role  TEXT NOT NULL DEFAULT '',
    owner_id    BIGINT REFERENCES agents(id) ON DELETE SET NULL,
    due_on      TEXT NOT NULL,
    done_on     TEXT NOT NULL DEFAULT '',
    done_by     BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX training_onboarding_agent ON training_onboarding (agent_id);
