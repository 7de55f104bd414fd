-- Call topology (issue 17, third step): how a call's media travel. The
-- same SQL runs on SQLite and PostgreSQL.
--
-- 'p2p': at most two people may take part (a direct thread between two
-- friends): the browsers exchange media end to end, Cercle relays only the
-- signalling, and the call holds two participants at most. 'sfu': three or
-- more may take part: media go through the selective forwarding unit.
-- Calls recorded before this step keep 'sfu' (their thread's kind decides
-- for new ones).
ALTER TABLE calls ADD COLUMN topology TEXT NOT NULL DEFAULT 'sfu';
UPDATE calls SET topology = 'p2p'
    WHERE thread_id IN (SELECT id FROM threads WHERE kind = 'direct');
