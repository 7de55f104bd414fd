-- Instant mobile connect (issue 18, part 4). The same SQL runs on SQLite
-- and PostgreSQL.
--
-- A signed-in, unlocked web session shows a link (and its QR code) whose
-- secret travels in the URL fragment; only its SHA-256 is kept here. The
-- code works once, for two minutes, and only while the session that made
-- it is still signed in and unlocked. `session_id` names that session
-- without a foreign key: sessions are deleted at sign-out, and the code
-- must then say why it is refused. Rows are kept a day after they expire
-- (a reused or expired code is told apart from an unknown one), then
-- removed when codes are created.
CREATE TABLE connect_codes (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id),
    session_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    -- The session the code opened on the new device.
    used_session_id TEXT
);
CREATE INDEX connect_codes_user ON connect_codes(user_id, created_at);
CREATE INDEX connect_codes_expiry ON connect_codes(expires_at);
