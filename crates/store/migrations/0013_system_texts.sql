-- System texts (issue 14): a text Cercle writes itself, such as the title
-- of the thread a new version of a pinned document opens ("Updated
-- document: plan.pdf"), is kept as a message key with its arguments, JSON
-- such as {"key":"chan-updated-document","args":{"name":"plan.pdf"}}, and
-- rendered in each reader's language. `title` keeps the text rendered when
-- it was written; rows from before (NULL here) show it as they always did.
ALTER TABLE threads ADD COLUMN title_text TEXT;
