-- Who uploaded a file through the API or the agent UI. Until a comment
-- claims it, an upload is its uploader's alone: nobody else may download
-- it or attach it. Files a channel stores (email parts) have no uploader;
-- they are attached in the transaction that stores them.
ALTER TABLE attachments ADD COLUMN uploaded_by BIGINT REFERENCES agents(id) ON DELETE SET NULL;
