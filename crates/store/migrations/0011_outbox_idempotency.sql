-- Mail that is never delivered twice nor lost (issue 13).
--
-- Every outbox message carries its Message-ID header, chosen once when it is
-- queued and sent identically on every attempt, so a receiver drops a second
-- copy when a node died between the server's acceptance and its reply.
-- `kind` names what the message is (signin-code, invitation…) so that the
-- failed-mail page can list it without its subject or body, which may hold a
-- code or a link. `retry_since` starts the retry window (queued, or sent
-- again by an administrator); `failed_at` is when the worker gave up.
ALTER TABLE outbox ADD COLUMN message_id TEXT;
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN retry_since BIGINT;
ALTER TABLE outbox ADD COLUMN failed_at BIGINT;

-- Idempotency-Key: the first result of a request, replayed when the same
-- person sends the same key again within 24 hours. The row is inserted in
-- the transaction of the work itself, so it exists only if the work was
-- done, and the primary key keeps two concurrent duplicates from both
-- doing it. `status` and `response` are filled in once the answer is known.
CREATE TABLE idempotency_keys (
    person_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT,
    response TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (person_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
