-- Searching the audit log by patient file: a column and an index instead of
-- a LIKE over the scopes text (2.3 s at 1,000,000 events, docs/benchmarks.md).
-- No event named a patient before this migration, so nothing to backfill.

ALTER TABLE audit_events ADD COLUMN patient_id TEXT;
CREATE INDEX audit_events_patient_seq ON audit_events(org_id, patient_id, seq);
