-- The sections of a patient's circle (Patient, Responsible persons,
-- Observers) a file does without (issue 14): a child has no patient
-- presence but responsible persons. A row means that section is switched
-- off for that file; no row, the section is on (every file starts with its
-- three sections on). Who switched it and when stay with the row; the audit
-- log keeps every change.
CREATE TABLE circle_sections_off (
    patient_file_id TEXT NOT NULL REFERENCES patient_files(id),
    section TEXT NOT NULL,
    changed_by TEXT NOT NULL REFERENCES users(id),
    changed_at BIGINT NOT NULL,
    PRIMARY KEY (patient_file_id, section)
);
