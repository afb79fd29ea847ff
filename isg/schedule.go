package isg

import (
	"context"
	"time"
)

// The periodic jobs (Sweep's assurance pass, the outbox purge) find their work through
// day-bucketed index keys: a record is indexed under the UTC day on which it next needs the job,
// and a cursor record per job remembers the first day whose bucket may still hold work. A run
// reads the buckets from the cursor's day to the current one — work proportional to what falls
// due and to the days elapsed, never to the size of the store — and then moves the cursor on.

const kindCursor Kind = "schedule_cursor"

// cursor is how far a periodic job has worked: every bucket before Day is done.
type cursor struct {
	Day string `json:"day"`
}

// dayKey is the index key of the bucket of t's UTC day in the schedule called name.
func dayKey(name string, t time.Time) IndexKey { return key(name, t.UTC().Format(time.DateOnly)) }

// daysThrough returns the bucket values of the UTC days from the day from (as stored in a
// cursor) through the day of to, inclusive; none when from is after to or unreadable.
func daysThrough(from string, to time.Time) []string {
	d, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return nil
	}
	last := to.UTC().Format(time.DateOnly)
	var out []string
	for day := d.Format(time.DateOnly); day <= last; day = d.Format(time.DateOnly) {
		out = append(out, day)
		d = d.AddDate(0, 0, 1)
	}
	return out
}

// loadCursor reads a job's cursor; found is false before the job's first complete run.
func (u *uow) loadCursor(job string) (c cursor, found bool, err error) {
	_, err = u.load(kindCursor, job, &c)
	if isNotFound(err) {
		return cursor{}, false, nil
	}
	return c, err == nil, err
}

// advanceCursor moves a job's cursor to the day of t, never back. It writes nothing when the
// cursor is already there, so a run with nothing due writes nothing at all.
func (g *Gateway) advanceCursor(ctx context.Context, job string, t time.Time) error {
	day := t.UTC().Format(time.DateOnly)
	return g.update(ctx, func(u *uow) error {
		var c cursor
		version, err := u.load(kindCursor, job, &c)
		if err != nil && !isNotFound(err) {
			return err
		}
		if c.Day >= day {
			return nil
		}
		c.Day = day
		_, err = u.save(kindCursor, job, version, c)
		return err
	})
}

// listIDs returns the IDs of every record of kind holding k, reading page by page so that a
// large bucket is never held as one decoded slice.
func (u *uow) listIDs(kind Kind, k IndexKey) ([]string, error) {
	const pageSize = 500
	var ids []string
	after := ""
	for {
		recs, err := u.tx.Find(u.ctx, kind, k, Page{After: after, Limit: pageSize})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			ids = append(ids, r.ID)
		}
		if len(recs) < pageSize {
			return ids, nil
		}
		after = recs[len(recs)-1].ID
	}
}

// dueIDs lists the records a periodic job must look at today: those of kind in the buckets of
// the bucket index from the job's cursor day through today, or, on the job's first run (no
// cursor yet), every record of firstKind holding firstKey, so records written before the job
// first ran are not missed. reached is the cursor's day ("" on a first run).
func (g *Gateway) dueIDs(ctx context.Context, job string, kind Kind, bucket string, firstKind Kind, firstKey IndexKey, today time.Time) (ids []string, first bool, reached string, err error) {
	err = g.view(ctx, func(u *uow) error {
		cur, found, err := u.loadCursor(job)
		if err != nil {
			return err
		}
		reached = cur.Day
		if first = !found; first {
			ids, err = u.listIDs(firstKind, firstKey)
			return err
		}
		for _, day := range daysThrough(cur.Day, today) {
			due, err := u.listIDs(kind, key(bucket, day))
			if err != nil {
				return err
			}
			ids = append(ids, due...)
		}
		return nil
	})
	return ids, first, reached, err
}
