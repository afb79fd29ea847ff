// Package isg is the Information Sharing Gateway: the governance engine for sharing personal data
// between UK public bodies, as a library a host application embeds with its own database, web
// front and e-mail.
//
// A Gateway holds every command of the governance model — registration and accounts, roles and
// permissions, organisations and their setup, merges and closures, the MoU, assurance, licensing,
// data sharing summaries and flows with DPO review, documents, Standard Support (support requests
// escalated to the central team, and the resources library), notifications — and composes the
// pure packages (isg/directory, isg/support, assurance, agreement, licensing) with a Store, a
// Clock, an ID source and the notification outbox. Every command is one declaration — its name,
// input type, permission-table row, rule and the function that loads and applies it — run by one
// pipeline: validate the input (field errors naming the rule), open a unit of work, pass the one
// permission gate (the table is the only gate, ROLE-7: Super Administrator and Central Admin
// rights are resolved inside it, and an action only Central Admin's powers permit is logged as
// support access), load the aggregates and apply the pure rule, save with optimistic concurrency,
// turn the rule's events into outbox notifications in the same unit of work, and commit. A failed
// command writes nothing. Commands lists every declaration with its row and reach; every method
// takes (ctx, Actor, Input) and its doc lists the errors it returns.
//
// An invisible record and an unknown ID get the same answer (a "<kind>.not_found" code), so a
// refusal never tells an outsider what exists. Listings take a ListPage and return a Listing: a
// page, the total the caller may see, and the cursor of the next page.
//
// # Usage
//
// A host does these things, in this order:
//
//  1. Provide a Store. storage/memory is the embedded default (nothing on disk); storage/sqlite
//     keeps one file; storage/postgres is for production and for several Gateway processes on one
//     database. A host's own Store must pass storage/storagetest.Run (the record-level contract)
//     and storagetest.RunGateway (the Gateway end to end on it).
//  2. Create the Gateway once with New(store, options...) and share it: it is safe for concurrent
//     use. Pass WithClock, WithLogger, WithSandbox (NOTE-3) and WithPermissions (to tighten the
//     permission table, never loosen it) as needed.
//  3. Bootstrap the platform's first Central Admin with Bootstrap, once per deployment.
//  4. Authenticate users itself (SignIn checks credentials and lockout; the host keeps the
//     session) and pass an Actor — the signed-in user and the organisation they act for — to
//     every command. E-mail the verification token Register returns.
//  5. Drain the outbox: call DrainOutbox with a Notifier (the host's e-mail or in-app delivery)
//     on a schedule or after each command. Delivery is at least once; implement Notifier
//     idempotently by Notification.ID where duplicates matter. Several processes may drain at
//     once: a message is leased to one drainer at a time. Through Dispatch, outbox.drain runs
//     only for Central Admin or on a context the host marked with AsHost (NOTE-4): never mark
//     a request handler's context, or any caller could take every pending notification.
//  6. Run the periodic sweep: call Sweep on a schedule (hourly, say). It notices what changes
//     with time alone — assurance expiring after a year, an ICO registration lapsing (ASR-5); a
//     summary's review coming and falling due (LIFE-1, lead time WithReviewNotice); a dispute
//     left unresolved (LIFE-4); an archived flow's retention ending (LIFE-2); a DPIA's review
//     date reached and ICO answers and action-plan items gone overdue (DPIA-7…9) — and notifies
//     those concerned, each once. It is idempotent and safe on every instance at once.
//  7. Keep document contents: pass WithBlobStore with the host's object storage (the default
//     keeps them in memory). Contents are content-addressed by SHA-256.
//  8. Map errors to responses in one place: errors.Is against ErrInvalid, ErrNotFound,
//     ErrForbidden, ErrConflict, ErrInvalidTransition, ErrLicence and ErrRule gives the kind;
//     ErrorCode gives a stable code, one of the Code constants (CodeFlowNotFound, …); errors.As
//     to *Error gives the rule ID and field errors.
//  9. Optionally, set WithOutboxRetention so that Sweep removes delivered messages after a
//     retention period, and WithLogger with a Debug-level handler for one record per command.
//  10. Keep the platform recoverable (REG-4): give the central team more than one Central Admin
//     (AddCentralAdmin), and give the deployment's operator — never a web request — a way to call
//     BreakGlassUnlock should every Central Admin be locked out. Drain the outbox from the host's
//     own code (DrainOutbox, or Dispatch on a context marked with AsHost); through Dispatch an
//     actor must be a Central Admin (NOTE-4).
//  11. Decide who holds the signing keys (SIGN-4, docs/signatures.md). By default flows are
//     signed with one platform Ed25519 key the Gateway keeps in the Store, private half
//     included, which Central Admin rotates (RotateSigningKey). For signatures whose creation
//     data stays under the signatory's sole control, pass WithSigners (each user's smartcard or
//     KMS key, any crypto.Signer) and WithKeyRing (their public keys, bound to their users, with
//     history); publish the public keys (SigningKeys lists the platform's) to outside verifiers.
//  12. Serve the public register (EXIT-3) to citizens, with no sign-in: PublicRegister and
//     RegisterEntry (register.list and register.get through Dispatch with a zero Actor) need no
//     account, and hold only flows every party agreed to publish (ConsentToPublish), never a
//     user's data. Flows leave it by themselves when they end.
//
// Dispatch runs any command by name with JSON input (the names are listed by CommandNames and in
// docs/scenarios.md), for hosts exposing a JSON API and for the portable scenario files run by
// package scenario.
package isg
