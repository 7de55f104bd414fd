-- Discussion threads (SPEC 6): a minimal patient file for clinical threads
-- (completed by the patient files capability), threads, participants,
-- messages with their versions, read state, acknowledgements, drafts,
-- attachments (encrypted), and the event log that real-time delivery and
-- reconnecting clients read.

CREATE TABLE patient_files (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    birth_date TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    archived_at BIGINT
);
CREATE INDEX patient_files_org ON patient_files(org_id);

-- kind: clinical | collaboration | direct. Direct threads have no
-- organization and one row per pair of friends (direct_key).
CREATE TABLE threads (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    org_id TEXT REFERENCES organizations(id),
    patient_file_id TEXT REFERENCES patient_files(id),
    title TEXT NOT NULL,
    folded_title TEXT NOT NULL,
    high_priority BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    closed_at BIGINT,
    closed_by TEXT,
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_activity_at BIGINT NOT NULL,
    direct_key TEXT UNIQUE
);
CREATE INDEX threads_org ON threads(org_id, last_activity_at);
CREATE INDEX threads_patient ON threads(patient_file_id);

-- kind: user | team
CREATE TABLE thread_participants (
    thread_id TEXT NOT NULL REFERENCES threads(id),
    kind TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    added_by TEXT,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (thread_id, kind, participant_id)
);
CREATE INDEX thread_participants_who ON thread_participants(participant_id, kind);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL REFERENCES threads(id),
    seq BIGINT NOT NULL,
    author_id TEXT NOT NULL,
    body TEXT NOT NULL,
    folded TEXT NOT NULL,
    priority BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    retracted_at BIGINT,
    UNIQUE (thread_id, seq)
);

-- Earlier texts of an edited message (clinical records stay whole).
CREATE TABLE message_versions (
    message_id TEXT NOT NULL REFERENCES messages(id),
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    replaced_at BIGINT NOT NULL,
    PRIMARY KEY (message_id, version)
);

CREATE TABLE thread_reads (
    thread_id TEXT NOT NULL REFERENCES threads(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    last_read_seq BIGINT NOT NULL,
    marked_unread BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (thread_id, user_id)
);
CREATE INDEX thread_reads_user ON thread_reads(user_id);

CREATE TABLE message_acks (
    message_id TEXT NOT NULL REFERENCES messages(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    at BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);

CREATE TABLE drafts (
    thread_id TEXT NOT NULL REFERENCES threads(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (thread_id, user_id)
);

-- data and thumbnail: encrypted with the server key (base64).
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL REFERENCES threads(id),
    message_id TEXT NOT NULL REFERENCES messages(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    width BIGINT,
    height BIGINT,
    data TEXT NOT NULL,
    thumbnail TEXT,
    uploaded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX attachments_thread ON attachments(thread_id, created_at);

-- The event log: ids are handed out in commit order (event_head is locked
-- by each writing transaction until it commits).
CREATE TABLE events (
    id BIGINT PRIMARY KEY,
    thread_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_thread ON events(thread_id, id);

CREATE TABLE event_head (
    id BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);
INSERT INTO event_head (id, last) VALUES (1, 0);
