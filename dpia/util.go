package dpia

import (
	"strconv"
	"time"

	"github.com/isgkit/gateway/internal/validate"
)

func itoa(i int) string { return strconv.Itoa(i) }

func validInstant(t time.Time) bool { return validate.Instant(t) }
