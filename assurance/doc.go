// Package assurance holds organisational assurance (rulebook section ASR): the submission an
// organisation makes about its information-governance credentials, and the rating every other
// organisation sees on its badge.
//
// The package is pure: it does no I/O, reads no clock (every function takes now) and makes no
// IDs. Functions take values and return new ones, never changing their input, so a host or the
// Gateway can embed it to test its own policy logic.
//
// # Rules
//
//   - ASR-1: Submission (Answers plus organisation, submitter and time) records every item;
//     Validate checks the fields, including the conditional ones (DSP Toolkit answers, a reason
//     when its standards were not met, the ICO number's shape, one privacy notice at most).
//   - ASR-2, ASR-3: Rate gives Significant (green) when all five Criteria are met, Limited (amber)
//     with one missing, None (red) with more, NotSubmitted (grey) for no submission and Expired
//     (grey) from ExpiresAt on, one calendar year after submission in UTC.
//   - ASR-4: Validate, and so Submit, refuses a submission short of Significant without an
//     improvement plan.
//   - ASR-5: Submit and Sweep return Events; those whose Notifies is true go to every partner.
//   - ASR-6 is the Gateway's: nothing here blocks sharing, whatever the rating.
//
// # Time
//
// Two instants govern a rating. The ICO registration counts while now is before
// Answers.ICOExpiresAt, so a host holding the register's expiry as a date passes the start of
// that day and the day itself does not count. The submission is Expired from
// SubmittedAt.UTC().AddDate(1, 0, 0) on: 29 February rolls to 1 March. Both bounds belong to
// the later state, so Rate(s, ExpiresAt(s)) is Expired.
//
// # Usage
//
// What the Gateway (or any host) does with this package:
//
//  1. On "submit assurance", after checking the actor's role (ROLE-4), call Submit with the
//     organisation's current submission (nil if none), store the result as the current one, log
//     its EventSubmitted, and put every event whose Notifies is true in the outbox for each
//     organisation the submitter shares with (ASR-5).
//  2. Run a periodic sweep: for each current submission call Sweep(s, last, now), where last is
//     the previous sweep's now, and queue the event it returns like those of step 1. The
//     half-open window (last, now] raises each expiry exactly once; persist last with the
//     queued events in one unit of work. NextChange tells when the next change is due.
//  3. Show Rate(s, now) wherever a partner is added to a flow or found in a search (ASR-6); it
//     is cheap enough (tens of nanoseconds, no allocation) to call on every render. Never store
//     a rating as a fact: it changes with time.
//  4. Map a refusal with errors.Is(err, ErrInvalid), or errors.As into a *Error for its field
//     errors, each naming the JSON field, a stable code and the rule (ASR-1 or ASR-4).
//
// The vector file testdata/vectors/assurance_rating.json at the module root holds portable
// rating cases for other platforms to check themselves against.
package assurance
