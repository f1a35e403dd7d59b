-- Proactive invitation rules are tried in the order an admin sets: the
-- first rule that holds opens the widget.
ALTER TABLE chat_invitations ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE chat_invitations SET position = id;
