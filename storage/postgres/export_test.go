package postgres

// MigrateTo stops migrations at version v, to make databases of an older schema.
func MigrateTo(v int) Option { return func(c *config) { c.migrateTo = v } }

// KnownVersion is the schema version this code migrates to.
func KnownVersion() int {
	m, err := loadMigrations()
	if err != nil {
		panic(err)
	}
	return len(m)
}

// EncodeKeys is the keys column's encoding, for tests that write databases of an older schema.
var EncodeKeys = encodeKeys
