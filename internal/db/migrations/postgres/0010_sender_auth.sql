-- Sender verification of inbound mail (issue 11): whether the From address
-- was proven by DKIM or SPF aligned with it (DMARC), or by a trusted MTA's
-- Authentication-Results, and the checks behind the verdict. Unverified
-- mail is never an agent's reply; agents see a warning on its comment.
-- client_ip and helo are what the SMTP session knew of the sender, kept
-- so a re-processed message is judged the same way.
ALTER TABLE inbound_messages ADD COLUMN auth TEXT NOT NULL DEFAULT '' CHECK (auth IN ('', 'verified', 'unverified'));
ALTER TABLE inbound_messages ADD COLUMN auth_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE inbound_messages ADD COLUMN client_ip TEXT NOT NULL DEFAULT '';
ALTER TABLE inbound_messages ADD COLUMN helo TEXT NOT NULL DEFAULT '';
