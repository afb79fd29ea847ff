package agreement_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/agreement"
)

// FuzzVerify mutates one field of one entry of a good log, or cuts it, and checks that Verify
// never panics and never accepts a log that differs from the original (LOG-2).
func FuzzVerify(f *testing.F) {
	f.Add(uint8(0), uint8(0), "x", int64(0), uint8(0))
	f.Add(uint8(3), uint8(5), "", int64(1), uint8(2))
	f.Add(uint8(7), uint8(9), "\x00", int64(-9), uint8(7))
	f.Fuzz(func(t *testing.T, idx, what uint8, text string, n int64, cut uint8) {
		entries, head := buildLog(t, 5)
		i := int(idx) % len(entries)
		e := &entries[i]
		changed := true
		switch what % 10 {
		case 0:
			changed = e.Field != text
			e.Field = text
		case 1:
			changed = e.Old != text
			e.Old = text
		case 2:
			changed = e.New != text
			e.New = text
		case 3:
			changed = n != 0
			e.Seq += n
		case 4:
			changed = n != 0
			e.At = e.At.Add(time.Duration(n))
		case 5:
			changed = e.PrevHash != text
			e.PrevHash = text
		case 6:
			changed = e.Hash != text
			e.Hash = text
		case 7:
			entries = entries[:int(cut)%len(entries)]
		case 8:
			u := uuid.NewSHA1(uuid.Nil, []byte(text))
			changed = e.Subject != u
			e.Subject = u
		case 9:
			j := int(cut) % len(entries)
			changed = i != j
			entries[i], entries[j] = entries[j], entries[i]
		}
		err := agreement.Verify(head, entries)
		if !changed {
			if err != nil {
				t.Fatalf("unchanged log refused: %v", err)
			}
			return
		}
		var ve *agreement.VerifyError
		if err == nil || !errors.As(err, &ve) {
			t.Fatalf("mutation %d at %d accepted: %v", what%10, i, err)
		}
		if ve.Index < 0 || ve.Index > len(entries) {
			t.Fatalf("index %d out of range", ve.Index)
		}
	})
}
