-- Service accounts for hosting partners and EMRs (issue 18, part 3: SMART
-- Backend Services). The same SQL runs on SQLite and PostgreSQL.
--
-- A network administrator registers the account: its name, the
-- organization it acts for and the member it acts through (whose roles
-- are the ceiling of what it may do), its scopes (space-separated) and its
-- public keys as a JWK set (JSON text; public keys only, never a private
-- part). Disabling keeps the row (the audit names it) and refuses tokens.
CREATE TABLE service_accounts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL REFERENCES organizations(id),
    acting_user_id TEXT NOT NULL REFERENCES users(id),
    scopes TEXT NOT NULL,
    jwks TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT,
    disabled_at BIGINT
);

-- The `jti` of every client assertion accepted, until its `exp`: a second
-- use of one is a replay, on whichever node it arrives. Expired rows are
-- removed as tokens are asked for.
CREATE TABLE service_assertions (
    account_id TEXT NOT NULL REFERENCES service_accounts(id),
    jti TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, jti)
);
CREATE INDEX service_assertions_expiry ON service_assertions(expires_at);

-- Access tokens issued to service accounts: opaque, kept as their SHA-256
-- only, with the scopes granted and a short life (five minutes).
CREATE TABLE service_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES service_accounts(id),
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX service_tokens_expiry ON service_tokens(expires_at);
