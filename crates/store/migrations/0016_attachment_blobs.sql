-- Attachments' files leave the database (issue 16): a new file is a blob in
-- the blob store (the local disk), named in `blob`, and `data` is then
-- empty. Rows from before keep their file in `data` and are read from there
-- as before (nothing is moved). Thumbnails (at most 320 px, a few KiB) stay
-- in `thumbnail`.
ALTER TABLE attachments ADD COLUMN blob TEXT;
CREATE UNIQUE INDEX attachments_blob ON attachments(blob);
