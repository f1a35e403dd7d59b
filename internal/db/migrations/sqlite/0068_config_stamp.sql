-- The configuration stamp: one row whose value changes (to a new random
-- number) in every transaction that changes a row of the configuration that
-- ticket writes read (triggers and automations, SLA policies, business
-- calendars, webhook subscriptions). Services keep that configuration in
-- memory (db.Cached) and compare the stamp it was loaded at with the one a
-- write reads, usually in a column of the write's first statement: a change
-- committed anywhere (on any instance sharing the database) is seen by the
-- next write, with no reads of the configuration itself in between. Random
-- values, not a counter: a stamp of a rolled-back change is never reused.
CREATE TABLE config_stamp (
    id INTEGER PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO config_stamp (id, n) VALUES (1, 1);
CREATE TRIGGER automation_rules_stamp_ins AFTER INSERT ON automation_rules BEGIN
    UPDATE config_stamp SET n = random() WHERE id = 1;
END;
CREATE TRIGGER automation_rules_stamp_upd AFTER UPDATE ON automation_rules BEGIN
    UPDATE config_stamp SET n = random() WHERE id = 1;
END;
CREATE TRIGGER automation_rules_stamp_del AFTER DELETE ON automation_rules BEGIN
    UPDATE config_stamp SET n = random() WHERE id = 1;
END;
CREATE TRIGGER sla_policies_stamp_ins AFTER INSERT ON sla_policies BEGIN
    UPDATE config_stamp SET n = random() WHERE id = 1;
END;
CREATE TRIGGER sla_policies_stamp_upd AFTER UPDATE ON sla_policies BEGIN
    UPDATE config_stamp SET n = random() WHERE id = 1;
END;
CREATE TRIGGER sla_policies_stamp_del AFTER DELETE ON sla_policies BEGIN
    UPDATE config_stamp SET n = random() WHERE id = 1;
END;
CREATE TRIGGER business_calendars_stamp_ins AFTER INSERT ON business_calendars BEGIN
    UPDATE config_stamp SET n = random() WHERE id = 1;
END;
CREATE TRIGGER business_calendars_stamp_upd AFTER UPDATE ON business_calendars BEGIN
    UPDATE config_stamp SET n = random() WHERE id = 1;
END;
CREATE TRIGGER business_calendars_stamp_del AFTER DELETE ON business_calendars BEGIN
    UPDATE config_stamp SET n = random() WHERE id = 1;
END;
CREATE TRIGGER webhook_subscriptions_stamp_ins AFTER INSERT ON webhook_subscriptions BEGIN
    UPDATE config_stamp SET n = random() WHERE id = 1;
END;
CREATE TRIGGER webhook_subscriptions_stamp_upd AFTER UPDATE ON webhook_subscriptions BEGIN
    UPDATE config_stamp SET n = random() WHERE id = 1;
END;
CREATE TRIGGER webhook_subscriptions_stamp_del AFTER DELETE ON webhook_subscriptions BEGIN
    UPDATE config_stamp SET n = random() WHERE id = 1;
END;
