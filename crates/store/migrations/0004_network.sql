-- The network (SPEC 3): profiles and photos, professions and their proofs,
-- invitations to the network, independent workplaces and who works where,
-- personal directories, friendships, and the search index.

CREATE TABLE profiles (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    presentation TEXT NOT NULL DEFAULT '',
    diplomas TEXT NOT NULL DEFAULT '',
    competencies TEXT NOT NULL DEFAULT '',
    contact TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    shared_phone TEXT,
    restrict_external BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);

-- A 256-pixel JPEG re-encoded by the server (no metadata), base64.
CREATE TABLE profile_photos (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    jpeg TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- status: unverified | pending | validated | rejected
-- validated_via: vouch | verification_team | organization
CREATE TABLE professions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    profession TEXT NOT NULL,
    status TEXT NOT NULL,
    permit_number TEXT,
    reason TEXT,
    decided_by TEXT,
    validated_via TEXT,
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE UNIQUE INDEX professions_user ON professions(user_id, profession);
CREATE INDEX professions_status ON professions(status, created_at);

-- The proof document of a profession (PDF, JPEG or PNG), base64.
CREATE TABLE profession_proofs (
    profession_id TEXT PRIMARY KEY REFERENCES professions(id),
    content_type TEXT NOT NULL,
    data TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_at BIGINT NOT NULL
);

CREATE TABLE network_invitations (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    profession TEXT NOT NULL,
    invited_by TEXT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX network_invitations_by ON network_invitations(invited_by);

ALTER TABLE users ADD COLUMN network_verifier BIGINT NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN validates_professions BIGINT NOT NULL DEFAULT 0;

-- Workplaces of independent professionals (organizations' workplaces live in
-- `workplaces`); ids never clash (UUIDv7), so a workplace id is found in one
-- table or the other.
CREATE TABLE independent_workplaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    phone TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX independent_workplaces_names ON independent_workplaces(name, address);

-- Who works where, for both kinds of workplaces.
CREATE TABLE workplace_members (
    workplace_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workplace_id, user_id)
);
CREATE INDEX workplace_members_user ON workplace_members(user_id);

-- kind: person | workplace
CREATE TABLE directory_entries (
    owner_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (owner_id, kind, target_id)
);

-- status: pending | accepted | ignored. pair_key: the two ids in order, so
-- that two people have one friendship row at most.
CREATE TABLE friendships (
    id TEXT PRIMARY KEY,
    requester_id TEXT NOT NULL REFERENCES users(id),
    recipient_id TEXT NOT NULL REFERENCES users(id),
    pair_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX friendships_recipient ON friendships(recipient_id, status);
CREATE INDEX friendships_requester ON friendships(requester_id, status);

-- The search index. One document per person or workplace; one posting per
-- folded word of its name, carrying what the search filters on so that a
-- query reads postings only. The vocabulary holds each distinct word with
-- how many documents use it, its prefixes (up to 10 letters) and its
-- one-deletion variants (for one typo).
CREATE TABLE search_docs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    folded TEXT NOT NULL,
    external BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE search_postings (
    term TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    external BIGINT NOT NULL,
    folded TEXT NOT NULL,
    PRIMARY KEY (term, doc_id)
);
CREATE INDEX search_postings_doc ON search_postings(doc_id);

CREATE TABLE search_vocab (
    term TEXT PRIMARY KEY,
    df BIGINT NOT NULL
);

CREATE TABLE search_prefixes (
    prefix TEXT NOT NULL,
    term TEXT NOT NULL,
    PRIMARY KEY (prefix, term)
);

CREATE TABLE search_variants (
    variant TEXT NOT NULL,
    term TEXT NOT NULL,
    PRIMARY KEY (variant, term)
);
