-- Patient files completed (SPEC 4), the patient's circle and its
-- invitations, care channels (SPEC 5) and pinned documents.

-- Identity: the health insurance number is stored normalized (4 letters,
-- 8 digits, no spaces); folded_name serves the search within one's units.
ALTER TABLE patient_files ADD COLUMN health_insurance_number TEXT;
ALTER TABLE patient_files ADD COLUMN file_number TEXT;
ALTER TABLE patient_files ADD COLUMN folded_name TEXT NOT NULL DEFAULT '';
ALTER TABLE patient_files ADD COLUMN consent_care_team BIGINT NOT NULL DEFAULT 0;
ALTER TABLE patient_files ADD COLUMN consent_caregivers BIGINT NOT NULL DEFAULT 0;
ALTER TABLE patient_files ADD COLUMN consent_electronic BIGINT NOT NULL DEFAULT 0;
ALTER TABLE patient_files ADD COLUMN updated_at BIGINT;
ALTER TABLE patient_files ADD COLUMN archived_by TEXT;
CREATE INDEX patient_files_unit ON patient_files(unit_id);

-- The patient's circle. section: patient | responsible | observer.
-- state: preallocated | invited | joined | cancelled | expired | locked.
-- user_id is set when the person joins.
CREATE TABLE circle_members (
    id TEXT PRIMARY KEY,
    patient_file_id TEXT NOT NULL REFERENCES patient_files(id),
    section TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    language TEXT NOT NULL,
    relationship TEXT,
    state TEXT NOT NULL,
    user_id TEXT REFERENCES users(id),
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX circle_members_file ON circle_members(patient_file_id);
CREATE INDEX circle_members_user ON circle_members(user_id);

-- One invitation per sending; resending makes a new row and ends the old
-- one (its link dies). Only hashes of the token, the answer and the code
-- are kept. via: email | sms; method: question | code.
-- state: pending | accepted | cancelled | expired | locked | replaced.
CREATE TABLE circle_invitations (
    id TEXT PRIMARY KEY,
    circle_member_id TEXT NOT NULL REFERENCES circle_members(id),
    token_hash TEXT NOT NULL UNIQUE,
    via TEXT NOT NULL,
    method TEXT NOT NULL,
    question TEXT,
    secret_hash TEXT NOT NULL,
    failures BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    invited_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at BIGINT,
    accepted_by TEXT
);
CREATE INDEX circle_invitations_member ON circle_invitations(circle_member_id);

-- A user whose only place in Cercle is patients' circles: they reach care
-- channels and nothing of the network.
ALTER TABLE users ADD COLUMN circle_only BIGINT NOT NULL DEFAULT 0;

-- Care channels. started_at is set by the first message: until then the
-- channel is a draft only its creator sees.
CREATE TABLE care_channels (
    id TEXT PRIMARY KEY,
    patient_file_id TEXT NOT NULL REFERENCES patient_files(id),
    org_id TEXT NOT NULL REFERENCES organizations(id),
    title TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    started_at BIGINT
);
CREATE INDEX care_channels_file ON care_channels(patient_file_id);

-- kind: user | team | circle (participant_id is then a circle_members id).
CREATE TABLE channel_participants (
    channel_id TEXT NOT NULL REFERENCES care_channels(id),
    kind TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    added_by TEXT,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (channel_id, kind, participant_id)
);
CREATE INDEX channel_participants_who ON channel_participants(participant_id, kind);

ALTER TABLE threads ADD COLUMN channel_id TEXT REFERENCES care_channels(id);
CREATE INDEX threads_channel ON threads(channel_id);

-- Pinned documents of a channel; each version is an attachment of a
-- message in one of the channel's threads.
CREATE TABLE pinned_documents (
    id TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL REFERENCES care_channels(id),
    name TEXT NOT NULL,
    pinned_by TEXT NOT NULL REFERENCES users(id),
    pinned_at BIGINT NOT NULL,
    current_version BIGINT NOT NULL
);
CREATE INDEX pinned_documents_channel ON pinned_documents(channel_id);

CREATE TABLE pinned_versions (
    document_id TEXT NOT NULL REFERENCES pinned_documents(id),
    version BIGINT NOT NULL,
    attachment_id TEXT NOT NULL REFERENCES attachments(id),
    thread_id TEXT NOT NULL REFERENCES threads(id),
    added_by TEXT NOT NULL REFERENCES users(id),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (document_id, version)
);
