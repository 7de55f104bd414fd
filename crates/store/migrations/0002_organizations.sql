-- Organizations, their unit tree, workplaces, teams, members, role grants
-- and invitations; the audit log gains the organization and search indexes.

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    root_unit_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    archived_at BIGINT
);

-- path: '/root-id/child-id/…/' so that "below" is a prefix test.
CREATE TABLE units (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id),
    parent_id TEXT REFERENCES units(id),
    name TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    archived_at BIGINT
);
CREATE INDEX units_org ON units(org_id);
CREATE UNIQUE INDEX units_sibling_names ON units(org_id, parent_id, name);

CREATE TABLE workplaces (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    phone TEXT,
    created_at BIGINT NOT NULL,
    archived_at BIGINT
);
CREATE UNIQUE INDEX workplaces_names ON workplaces(org_id, name);

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    workplace_id TEXT REFERENCES workplaces(id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    archived_at BIGINT
);
CREATE UNIQUE INDEX teams_names ON teams(org_id, unit_id, name);

CREATE TABLE memberships (
    org_id TEXT NOT NULL REFERENCES organizations(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    professional BIGINT NOT NULL,
    administrative BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE role_grants (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX role_grants_unique ON role_grants(user_id, unit_id, role);
CREATE INDEX role_grants_org ON role_grants(org_id, user_id);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    professional BIGINT NOT NULL,
    administrative BIGINT NOT NULL,
    roles TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    invited_by TEXT,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX invitations_org ON invitations(org_id, status);

ALTER TABLE users ADD COLUMN active_org_id TEXT;

ALTER TABLE audit_events ADD COLUMN org_id TEXT;
CREATE INDEX audit_events_org_seq ON audit_events(org_id, seq);
CREATE INDEX audit_events_unit_seq ON audit_events(unit_id, seq);
CREATE INDEX audit_events_actor_seq ON audit_events(actor_id, seq);
CREATE INDEX audit_events_at ON audit_events(at);
