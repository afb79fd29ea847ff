package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/isgkit/gateway/isg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testSameRecordRace is the lost-update check: in each round every goroutine reads the current
// version, then all of them write the record with that version at once. Exactly one write may
// win per round; the others must fail with ErrConflict, and the stored body must be the winner's.
// Round 1 races to create the record (version 0).
func testSameRecordRace(t *testing.T, s isg.Store) {
	const goroutines, rounds = 32, 20
	ctx := context.Background()
	for round := 1; round <= rounds; round++ {
		var (
			read, running sync.WaitGroup
			start         = make(chan struct{})
			versions      = make([]int64, goroutines)
			errs          = make([]error, goroutines)
		)
		read.Add(goroutines)
		running.Add(goroutines)
		for g := range goroutines {
			go func() {
				defer running.Done()
				errs[g] = s.View(ctx, func(tx isg.Tx) error {
					r, err := tx.Get(ctx, "org", "hot")
					if round == 1 && errors.Is(err, isg.ErrNotFound) {
						err = nil
					}
					versions[g] = r.Version
					return err
				})
				read.Done()
				<-start
				if errs[g] != nil {
					return
				}
				body := fmt.Sprintf(`{"round":%d,"writer":%d}`, round, g)
				errs[g] = s.Update(ctx, func(tx isg.Tx) error {
					// Half the writers read the record again in the unit, so both the
					// read-then-write and the blind-write paths race.
					if g%2 == 1 {
						if _, err := tx.Get(ctx, "org", "hot"); err != nil && !errors.Is(err, isg.ErrNotFound) {
							return err
						}
					}
					_, err := tx.Put(ctx, rec("org", "hot", versions[g], body))
					return err
				})
			}()
		}
		read.Wait()
		close(start)
		running.Wait()

		winner := -1
		for g, err := range errs {
			require.Equal(t, int64(round-1), versions[g], "round %d: goroutine %d read version", round, g)
			switch {
			case err == nil:
				require.Equal(t, -1, winner, "round %d: goroutines %d and %d both won", round, winner, g)
				winner = g
			case errors.Is(err, isg.ErrConflict):
			default:
				require.NoError(t, err, "round %d: goroutine %d failed with an error other than ErrConflict", round, g)
			}
		}
		require.NotEqual(t, -1, winner, "round %d: no write won", round)
		got := mustGet(t, s, "org", "hot")
		require.Equal(t, int64(round), got.Version)
		requireBody(t, fmt.Sprintf(`{"round":%d,"writer":%d}`, round, winner), got.Body, "the winner's body is stored")
	}
	assert.Equal(t, int64(rounds), mustGet(t, s, "org", "hot").Version)
}

// testUniqueKeyRace has many units create different records claiming one unique key at once.
func testUniqueKeyRace(t *testing.T, s isg.Store) {
	const goroutines, rounds = 8, 5
	for round := range rounds {
		email := uniqueKey("email", fmt.Sprintf("race%d@example.org", round))
		var running sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, goroutines)
		running.Add(goroutines)
		for g := range goroutines {
			go func() {
				defer running.Done()
				<-start
				errs[g] = tryPut(s, rec("user", fmt.Sprintf("r%d-g%d", round, g), 0, `{}`, email, key("round", fmt.Sprint(round))))
			}()
		}
		close(start)
		running.Wait()
		wins := 0
		for g, err := range errs {
			if err == nil {
				wins++
				continue
			}
			require.ErrorIs(t, err, isg.ErrConflict, "round %d goroutine %d", round, g)
		}
		require.Equal(t, 1, wins, "round %d: exactly one record may take the key", round)
		require.Equal(t, 1, count(t, s, "user", email))
		require.Len(t, find(t, s, "user", key("round", fmt.Sprint(round)), isg.Page{}), 1, "losers wrote nothing")
	}
}

// testConcurrentWriters has writers on different records, and readers beside them, all succeed:
// no conflicts, no busy or lock errors, nothing lost.
func testConcurrentWriters(t *testing.T, s isg.Store) {
	const writers, updates, readers = 8, 10, 2
	ctx := context.Background()
	shared := key("team", "all")
	var wg sync.WaitGroup
	errs := make(chan error, writers+readers)
	stop := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("w%d", w)
			keys := []isg.IndexKey{shared, uniqueKey("email", id+"@example.org")}
			if err := tryPut(s, isg.Record{Kind: "user", ID: id, Body: []byte(`{"n":0}`), Keys: keys}); err != nil {
				errs <- fmt.Errorf("writer %d create: %w", w, err)
				return
			}
			for n := 1; n <= updates; n++ {
				err := s.Update(ctx, func(tx isg.Tx) error {
					r, err := tx.Get(ctx, "user", id)
					if err != nil {
						return err
					}
					r.Body = fmt.Appendf(nil, `{"n":%d}`, n)
					_, err = tx.Put(ctx, r)
					return err
				})
				if err != nil {
					errs <- fmt.Errorf("writer %d update %d: %w", w, n, err)
					return
				}
			}
		}()
	}
	var readersWG sync.WaitGroup
	for r := range readers {
		readersWG.Add(1)
		go func() {
			defer readersWG.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(ctx, func(tx isg.Tx) error {
					_, err := tx.Find(ctx, "user", shared, isg.Page{Limit: 4})
					if err == nil {
						_, err = tx.Count(ctx, "user", shared)
					}
					return err
				})
				if err != nil {
					errs <- fmt.Errorf("reader %d: %w", r, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readersWG.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	require.Equal(t, writers, count(t, s, "user", shared))
	for w := range writers {
		got := mustGet(t, s, "user", fmt.Sprintf("w%d", w))
		assert.Equal(t, int64(updates+1), got.Version)
		assertBody(t, fmt.Sprintf(`{"n":%d}`, updates), got.Body)
	}
}

// testNonBlocking holds units of work open inside fn and checks that units on other records, and
// readers, finish meanwhile. Optimistic concurrency is what makes that possible: no lock may be
// held while fn runs.
func testNonBlocking(t *testing.T, s isg.Store) {
	ctx := context.Background()
	putAll(t, s, rec("org", "r1", 0, `{"v":1}`), rec("org", "r2", 0, `{"v":1}`))

	t.Run("writer beside an open writer", func(t *testing.T) {
		var errB error
		err := s.Update(ctx, func(tx isg.Tx) error {
			r1, err := tx.Get(ctx, "org", "r1")
			if err != nil {
				return err
			}
			if _, err := tx.Put(ctx, rec("org", "r1", r1.Version, `{"v":2}`)); err != nil {
				return err
			}
			return beside(func() error {
				errB = s.Update(ctx, func(tx isg.Tx) error {
					r2, err := tx.Get(ctx, "org", "r2")
					if err != nil {
						return err
					}
					_, err = tx.Put(ctx, rec("org", "r2", r2.Version, `{"v":2}`))
					return err
				})
				return errB
			})
		})
		require.NoError(t, errB, "unit B on r2")
		require.NoError(t, err, "unit A on r1")
		assert.Equal(t, int64(2), mustGet(t, s, "org", "r1").Version)
		assert.Equal(t, int64(2), mustGet(t, s, "org", "r2").Version)
	})

	t.Run("writer beside an open reader", func(t *testing.T) {
		err := s.View(ctx, func(tx isg.Tx) error {
			if _, err := tx.Get(ctx, "org", "r1"); err != nil {
				return err
			}
			return beside(func() error { return tryPut(s, rec("org", "r1", 2, `{"v":3}`)) })
		})
		require.NoError(t, err)
		assert.Equal(t, int64(3), mustGet(t, s, "org", "r1").Version)
	})

	t.Run("many units open at once", func(t *testing.T) {
		// Each unit stays open until all of them have read and written: a store that serialises
		// units for their whole length cannot finish this.
		const units = 8
		var ready sync.WaitGroup
		ready.Add(units)
		allIn := make(chan struct{})
		go func() { ready.Wait(); close(allIn) }()
		errs := make(chan error, units)
		for u := range units {
			go func() {
				errs <- s.Update(ctx, func(tx isg.Tx) error {
					id := fmt.Sprintf("m%d", u)
					if _, err := tx.Get(ctx, "org", id); !errors.Is(err, isg.ErrNotFound) {
						return fmt.Errorf("get %s: %v", id, err)
					}
					if _, err := tx.Put(ctx, rec("org", id, 0, `{}`)); err != nil {
						return err
					}
					ready.Done()
					return beside(func() error { <-allIn; return nil })
				})
			}()
		}
		for range units {
			require.NoError(t, <-errs)
		}
	})
}
