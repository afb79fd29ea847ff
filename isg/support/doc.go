// Package support holds the pure rules of Standard Support (SUP-1…3): the support requests a
// group's users raise to their group's Super Administrators, who answer them or escalate them to
// the central admin team, and the resources library of support documentation, platform-wide and
// per group. It is shaped like package agreement: functions take the current value, the actor,
// the time and any new IDs, and return the new value and the events it raised, leaving their
// input unchanged. It does no I/O, reads no clock, makes no IDs and never imports the Gateway, so
// a host can test its own service-desk policy against it.
//
// # Requests
//
// A request is Open → Answered → Resolved, or Open → Escalated → AnsweredByCentral → Resolved
// (Machine, one stateless machine configured once; its diagram is
// testdata/machines/support_request.dot). Every step tells the other side (Event, Audience).
// What the rulebook leaves open is settled here, as a service desk would:
//
//   - Who raises: any user holding a role at an organisation that has a support group (GroupOf):
//     the contract it holds a group licence under, else the active licensing group it chose. A
//     free-licence organisation in a group raises requests that its group's Super Administrators
//     answer but cannot escalate: the central team gives no support to free-licence organisations
//     (LIC-3; escalation is refused with licence.capability_denied naming central_support). A
//     free-licence organisation in no group has no one to raise support with (CodeNoGroup): it
//     reads the resources library (the platform-wide resources are open to every signed-in user),
//     asks its lead organisation's Administrators, who hold a role at a supported organisation
//     and support its use of the system (ORG-8), or asks a group for a licence (LIC-7).
//   - Who sees (SUP-2, Request.VisibleTo): the requester, the Administrators of the requester's
//     organisation, the group's Super Administrators and, once it was escalated (and from then
//     on), the central team. The requester is counted in — it is their own question — while they
//     remain a user of the organisation: one who has left sees it no more.
//   - Who answers: a Super Administrator of the request's group answers or escalates an open
//     request; only the central team answers an escalated one. Answering a second time is not a
//     step: the requester reopens the request if the answer did not resolve it.
//   - Who resolves: the requester's side (the requester, or an Administrator of their
//     organisation, who acts for it when the requester has left) at any time, accepting an
//     answer or withdrawing a request no longer needed; the side that answered once it has
//     answered. An answer nobody resolves stays Answered: the requester may still resolve it,
//     and its reopening window closes ReopenDays after the answer all the same.
//   - Reopening: the requester's side, with a reason, within ReopenDays (14 calendar days) of
//     the last answer, or of the resolution, and not from then on. A reopened request goes back
//     to the group's Super Administrators (Open) whoever answered it last: they own the user's
//     support and escalate it again when they still cannot resolve it, which checks the licence
//     again (LIC-3); the central team keeps seeing a request it was once asked.
//   - Concurrency: every step names the version of the request the actor read (StepInput.Seen).
//     Two Super Administrators answering at once never both post: the second is refused with
//     CodeStale, a conflict, reads the first's answer and retries if it still has something to
//     add.
//   - Merges (ORG-6): every request not settled (Request.Settled: resolved and past its
//     reopening window) moves to the surviving organisation, and to the survivor's support group
//     when it has one (the group now supporting those users), keeping its state and its history;
//     an EntryMoved records where it came from. Settled requests stay as they were.
//   - Attachments are documents (DOC-1: at most 5 MB each, uploading needs a licence, LIC-3)
//     attached by the Gateway to the request as their subject, by those who see it.
//
// # Resources
//
// The library (Library; its diagram is testdata/machines/resource.dot) holds Resources: a title
// and a body of text, a link or a file (at most 5 MB, DOC-1), in versions numbered from 1 that
// are only ever added. The central team publishes platform-wide resources, which every signed-in
// user reads; a group's Super Administrators publish the group's, which its members read (Member:
// users of its contracting organisation, of the organisations that chose it as their licensing
// group, and of those holding a licence under it) — and the central team, which may act for any
// organisation for support (ROLE-7), reads and manages them too. Withdrawing a resource takes it
// out of its audience's library; its publishers still see it and its versions. Anyone outside a
// resource's audience is answered as for an unknown ID (ResourceNotFound).
//
// The Gateway (package isg) loads what these rules need — the actor's relation to a request
// (Actor), the organisation's entitlement, the group contract — checks its permission table
// before calling them, resolves each event's audience to accounts and writes the outbox, in the
// unit of work that saves the change.
package support
