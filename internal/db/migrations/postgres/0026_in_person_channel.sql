-- Walk-ins and visits get their own channel, "in_person".
ALTER TABLE tickets DROP CONSTRAINT tickets_channel_check;
ALTER TABLE tickets ADD CONSTRAINT tickets_channel_check
    CHECK (channel IN ('email','chat','web','phone','social','api','in_person')) NOT VALID;
ALTER TABLE tickets VALIDATE CONSTRAINT tickets_channel_check;
