// Package licensing is the ISG's licensing model as pure code: group contracts and their Super
// Administrators, the licences a contract hands out, licence requests, what a licence lets an
// organisation do, and renewal pricing (rulebook section LIC).
//
// The package does no I/O, reads no clock and makes no IDs: the Gateway (package isg) passes in
// the time and the IDs, stores the values as JSON, and sends the events on. Every command takes
// values and returns new values plus the events it raised; a refused command returns its input
// unchanged and an *Error, so nothing is left half-changed.
//
// # Model
//
//   - A Contract (LIC-1) belongs to a contracting organisation and names an admin group. It holds
//     its terms (each with its price), its Capacity (StandardCapacity = 100), its Super
//     Administrators (at most 3, LIC-2) and every Licence allocated under it. The contract is the
//     aggregate that owns its licences, so the capacity check and the allocation it guards are
//     one versioned write: two Super Administrators allocating the last licence at once cannot
//     both succeed.
//   - A Licence is of kind Group or DPIA, for one organisation. It counts against capacity until
//     revoked, and grants its kind only while its contract is active (LIC-5). Ending a contract
//     deletes nothing: its organisations fall back to the free model and keep their data.
//   - A Request (LIC-7) is an organisation's ask for a licence, usually at registration. A Super
//     Administrator allocates it (with a warning for a private organisation) or declines it.
//   - An Entitlement is the set of licence kinds an organisation holds at a moment. Check and
//     Entitlement.Allows answer the capability questions of LIC-3 and LIC-4 in a few nanoseconds
//     without allocating; CheckUserCount applies the free model's 3-user limit.
//   - Renewal (LIC-6) appends a term that starts when the last one ends or later, at a price of at
//     most MaxRenewalPrice(previous): previous × 1.05 rounded to pence, half-up.
//
// # Lifecycles
//
// Requests (pending → allocated | declined) and licences (active → revoked) are
// qmuntal/stateless machines, configured once by NewRules and shared; the allocation rules are
// the guards of "allocate" (contractActive, kindNotHeld, capacityLeft), so RequestActions can
// tell a UI what is possible. testdata/request.dot and testdata/licence.dot are their pictures. A
// contract's status (not started, active, expired, ended) is not a machine: apart from the one
// stored fact that it was ended early, it follows from the clock.
//
// # What the Gateway does with it
//
//  1. Build one Rules with NewRules and keep it; it is safe for concurrent use.
//  2. Store each Contract as one record and index it by the contracting organisation and by
//     Contract.LicensedOrgs, so that an organisation's contracts can be found.
//  3. Per command, load the organisation's contracts (those of its licensing group, and any its
//     index names), compute EntitlementFor(org, contracts, now) once, and call Check for each
//     licensed step (upload, reports, PDF export, support, activity creation) and CheckUserCount
//     before adding a user. A refusal matches ErrLicence and names the capability and the rule.
//  4. Decide who may act (Super Administrators of the contract via Contract.IsSuperAdmin, or the
//     central admin team; ROLE-8) before calling Allocate, Revoke, AllocateRequest,
//     DeclineRequest or the Super Administrator methods; this package records what happened, not
//     who was allowed to do it.
//  5. Turn the returned events into notifications and log entries in the same unit of work
//     (NOTE-1): EventLicenceRequested goes to the contract's Super Administrators,
//     EventLicenceLapsed to the organisation that fell back to the free model, and an event's
//     Warning must be shown to the user who acted.
//  6. A contract that simply runs out raises no event (nothing is called); a periodic sweep that
//     compares Contract.Status at the last and the current run can notify instead.
//
// # Errors
//
// Every error is an *Error (violation.Error) whose Kind is one of ErrInvalid, ErrNotFound,
// ErrConflict, ErrInvalidTransition, ErrLicence or ErrRule, with a stable code (the Code
// constants) and, where a rule refuses, its rule ID. Each function's comment lists what it
// returns.
package licensing
