-- Unique index keys enforced by the database: two commits claiming one key conflict whatever
-- their interleaving (the second waits for the first and then fails with unique_violation).
CREATE UNIQUE INDEX isg_index_keys_unique ON isg_index_keys (kind, name, value) WHERE uniq;
