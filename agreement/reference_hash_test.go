package agreement_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/isgkit/gateway/agreement"
)

// referenceHash follows EntryHash's documented canonical form literally, as another platform
// would, so that the optimised implementation is checked against the documentation.
func referenceHash(e agreement.LogEntry) string {
	b := []byte("ISG-LOG-1")
	for _, f := range []string{
		strconv.FormatInt(e.Seq, 10), e.Subject.String(), e.User.String(), e.Org.String(),
		e.At.UTC().Format(time.RFC3339Nano), e.Field, e.Old, e.New, e.PrevHash,
	} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
