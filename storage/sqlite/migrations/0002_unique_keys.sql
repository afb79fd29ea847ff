-- Unique index keys enforced by the database rather than by a check in the adapter, so that two
-- processes committing at once cannot both claim a key, whatever their interleaving.
CREATE UNIQUE INDEX isg_index_keys_unique ON isg_index_keys (kind, name, value) WHERE uniq;
