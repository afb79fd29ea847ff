package agreement_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
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

// referenceDiff is Diff done the slow, obvious way: decode both sides into maps and compare.
func referenceDiff(old, new any) []agreement.Change {
	decode := func(v any) map[string]json.RawMessage {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			panic(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			panic(err)
		}
		return m
	}
	o, n := decode(old), decode(new)
	keys := map[string]bool{}
	for k := range o {
		keys[k] = true
	}
	for k := range n {
		keys[k] = true
	}
	var out []agreement.Change
	for k := range keys {
		switch k {
		case "updated_at", "updated_by", "rev", "log":
			continue
		}
		ov, nv := "null", "null"
		if v, ok := o[k]; ok {
			ov = string(v)
		}
		if v, ok := n[k]; ok {
			nv = string(v)
		}
		if ov != nv {
			out = append(out, agreement.Change{Field: k, Old: ov, New: nv})
		}
	}
	slices.SortFunc(out, func(a, b agreement.Change) int { return strings.Compare(a.Field, b.Field) })
	return out
}
