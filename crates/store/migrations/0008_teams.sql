-- Teams and triage (SPEC 7): who belongs to a team (manager or participant),
-- and, per thread and team, whether the thread waits in the team's triage
-- box or is assigned to a responsible member.

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    -- manager | participant
    role TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(user_id);

CREATE TABLE thread_triage (
    thread_id TEXT NOT NULL REFERENCES threads(id),
    team_id TEXT NOT NULL REFERENCES teams(id),
    -- in_triage | assigned
    state TEXT NOT NULL,
    responsible_id TEXT REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (thread_id, team_id)
);
CREATE INDEX thread_triage_team ON thread_triage(team_id, state);
CREATE INDEX thread_triage_responsible ON thread_triage(responsible_id);
