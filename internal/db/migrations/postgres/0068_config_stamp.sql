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
CREATE FUNCTION config_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE config_stamp SET n = (random() * 9e18)::bigint WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER automation_rules_stamp AFTER INSERT OR UPDATE OR DELETE ON automation_rules FOR EACH ROW EXECUTE FUNCTION config_stamp_bump();
CREATE TRIGGER sla_policies_stamp AFTER INSERT OR UPDATE OR DELETE ON sla_policies FOR EACH ROW EXECUTE FUNCTION config_stamp_bump();
CREATE TRIGGER business_calendars_stamp AFTER INSERT OR UPDATE OR DELETE ON business_calendars FOR EACH ROW EXECUTE FUNCTION config_stamp_bump();
CREATE TRIGGER webhook_subscriptions_stamp AFTER INSERT OR UPDATE OR DELETE ON webhook_subscriptions FOR EACH ROW EXECUTE FUNCTION config_stamp_bump();
