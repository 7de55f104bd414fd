-- The integrated bubble: SMART on FHIR EHR launch (issue 18, part 1). The
-- same SQL runs on SQLite and PostgreSQL.
--
-- An EMR a network administrator registered: its FHIR base URL (the `iss`
-- of a launch), the client id Cercle has there, and the origins allowed to
-- frame Cercle (space-separated, each `scheme://host[:port]`).
CREATE TABLE emrs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    issuer TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL,
    frame_origins TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    disabled_at BIGINT
);

-- A launch under way: the `state` sent to the EMR (SHA-256 only), the PKCE
-- verifier (encrypted with the server key), and an expiry of a few
-- minutes. After the code exchange the launch holds the practitioner
-- (`fhirUser`), the patient in context and the access token (encrypted)
-- until the browser that made it (`handle_hash`, its cookie's SHA-256)
-- finishes; it is used once.
CREATE TABLE smart_launches (
    id TEXT PRIMARY KEY,
    emr_id TEXT NOT NULL REFERENCES emrs(id),
    state_hash TEXT NOT NULL UNIQUE,
    verifier_enc TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    callback_at BIGINT,
    handle_hash TEXT UNIQUE,
    fhir_user TEXT,
    patient_id TEXT,
    access_token_enc TEXT,
    finished_at BIGINT
);
CREATE INDEX smart_launches_expiry ON smart_launches(expires_at);

-- A Cercle account linked to a practitioner of an EMR (its `fhirUser`),
-- made once with the account's password and code.
CREATE TABLE emr_links (
    emr_id TEXT NOT NULL REFERENCES emrs(id),
    fhir_user TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (emr_id, fhir_user)
);
CREATE INDEX emr_links_user ON emr_links(user_id);
