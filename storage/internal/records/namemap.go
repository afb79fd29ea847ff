package records

import "github.com/isgkit/gateway/internal/fewmap"

// Map maps the names of the records a unit of work touched to what the unit keeps of each: the
// version it read, the record it staged. It holds a few names without an allocation (see
// fewmap).
type Map[V any] = fewmap.Map[Key, V]
