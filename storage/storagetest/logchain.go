package storagetest

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
)

// kindLogEntry is the stored kind of transaction-log entries; kinds are part of the stored format.
const kindLogEntry isg.Kind = "log_entry"

// testLogChain: LOG-1, LOG-2 over a real store. A flow's and its summary's logs, written by many
// commands, verify when read back; and each way of tampering with a stored entry directly in the
// store — altering it, altering and re-hashing it, hiding it from its index, moving it to
// another flow's log — is detected when the log is next read. Rewriting an entry unchanged is
// not tampering and still verifies: the check looks at content, not at store versions.
func testLogChain(t *testing.T, s isg.Store) {
	f := NewFaulty(s)
	w := newWorld(t, f)
	ctx := w.ctx
	a, p := w.user("ann@leeds.nhs.uk"), w.user("pete@westyorkshire.police.uk")
	leeds, police := w.org(a, "Leeds"), w.org(p, "Police")
	ann := isg.Actor{User: a, Org: leeds}

	// flow makes a flow with several edits and returns it with the IDs of its stored log
	// entries, in sequence order: those the Faulty saw written whose body names the flow.
	flow := func() (string, []string) {
		t.Helper()
		f.FailAt(0)
		_, fv := w.sharing(ann, police)
		id := fv.ID.String()
		terms := fv.FlowTerms
		for i := range 3 {
			terms.Controls = append(terms.Controls, fmt.Sprintf("Control %d — ✓", i))
			_, err := w.g.EditFlow(ctx, ann, isg.FlowStep[agreement.FlowTerms]{Flow: fv.ID, Input: terms})
			require.NoError(t, err)
		}
		bySeq := map[int64]string{}
		require.NoError(t, s.View(ctx, func(tx isg.Tx) error {
			for _, rid := range f.writtenOf(kindLogEntry) {
				r, err := tx.Get(ctx, kindLogEntry, rid)
				if err != nil {
					return err
				}
				var e agreement.LogEntry
				if err := json.Unmarshal(r.Body, &e); err != nil {
					return err
				}
				if e.Subject.String() == id {
					bySeq[e.Seq] = rid
				}
			}
			return nil
		}))
		entries := make([]string, len(bySeq))
		for seq, rid := range bySeq {
			require.True(t, seq >= 1 && int(seq) <= len(entries), "sequence %d of %d", seq, len(entries))
			entries[seq-1] = rid
		}
		return id, entries
	}
	verified := func(id string) isg.AgreementLog {
		t.Helper()
		fid, err := agreement.ParseFlowID(id)
		require.NoError(t, err)
		log, err := w.g.FlowLog(ctx, ann, isg.ByID[agreement.FlowID]{ID: fid})
		require.NoError(t, err)
		return log
	}
	// rewrite reads one stored entry, lets change alter it and puts it back at its version.
	rewrite := func(entryID string, change func(r *isg.Record, e *agreement.LogEntry)) {
		t.Helper()
		require.NoError(t, s.Update(ctx, func(tx isg.Tx) error {
			r, err := tx.Get(ctx, kindLogEntry, entryID)
			if err != nil {
				return err
			}
			var e agreement.LogEntry
			if err := json.Unmarshal(r.Body, &e); err != nil {
				return err
			}
			change(&r, &e)
			if r.Body == nil {
				if r.Body, err = json.Marshal(e); err != nil {
					return err
				}
			}
			_, err = tx.Put(ctx, r)
			return err
		}))
	}

	id, entries := flow()
	log := verified(id)
	require.True(t, log.Verified, log.Problem)
	require.Len(t, log.Entries, int(log.Head.Count))
	require.Len(t, entries, len(log.Entries), "the entries the commands wrote are the entries read back")

	tests := []struct {
		name   string
		entry  func(entries []string) string
		change func(r *isg.Record, e *agreement.LogEntry)
		// moveTo moves the entry to another flow's log, which must then fail too.
		moveTo   bool
		verifies bool
	}{
		{"rewritten unchanged", func(es []string) string { return es[1] }, func(r *isg.Record, e *agreement.LogEntry) {}, false, true},
		{"value altered", func(es []string) string { return es[1] }, func(r *isg.Record, e *agreement.LogEntry) {
			r.Body, e.New = nil, e.New+" (amended)"
		}, false, false},
		{"altered and re-hashed", func(es []string) string { return es[1] }, func(r *isg.Record, e *agreement.LogEntry) {
			r.Body, e.New = nil, "forged"
			e.Hash = agreement.EntryHash(*e)
		}, false, false},
		{"last entry altered and re-hashed", func(es []string) string { return es[len(es)-1] }, func(r *isg.Record, e *agreement.LogEntry) {
			r.Body, e.Old = nil, "forged"
			e.Hash = agreement.EntryHash(*e)
		}, false, false},
		{"bytes altered", func(es []string) string { return es[0] }, func(r *isg.Record, e *agreement.LogEntry) {
			r.Body = []byte(string(r.Body[:len(r.Body)-1]) + `,"extra":true}`)
			var m map[string]any
			if err := json.Unmarshal(r.Body, &m); err == nil {
				m["user"] = isg.UserID{}.String()
				r.Body, _ = json.Marshal(m)
			}
		}, false, false},
		{"hidden from its index", func(es []string) string { return es[2] }, func(r *isg.Record, e *agreement.LogEntry) {
			r.Keys = nil
		}, false, false},
		{"moved to another flow's log", func(es []string) string { return es[0] }, nil, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, entries := flow()
			require.True(t, verified(id).Verified)
			target := tt.entry(entries)
			other := ""
			change := tt.change
			if tt.moveTo {
				other, _ = flow()
				change = func(r *isg.Record, e *agreement.LogEntry) {
					for i, k := range r.Keys {
						if k.Value == id {
							r.Keys[i].Value = other
						}
					}
				}
			}
			rewrite(target, change)
			log := verified(id)
			assert.Equal(t, tt.verifies, log.Verified, "problem: %q", log.Problem)
			if !tt.verifies {
				assert.NotEmpty(t, log.Problem)
			}
			if other != "" {
				assert.False(t, verified(other).Verified, "the log that gained an entry fails too")
			}
		})
	}
}
