-- Time zones are data (issue 14): each organization has one (an IANA name,
-- America/Montreal unless an administrator chose another, e.g.
-- America/Halifax for the Magdalen Islands), and a person may choose their
-- own, which then wins over their organization's. Names are checked against
-- the tz database by the services before they are stored.
ALTER TABLE organizations ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'America/Montreal';
ALTER TABLE users ADD COLUMN time_zone TEXT;
