// Package dpia is the pure core of data protection impact assessments: activities (DPIA-1) and
// their DPIAs, with access for contributors only (DPIA-2), screening (DPIA-3), the ICO template
// (DPIA-4), tasks (DPIA-5), the risk register and approvals (DPIA-6, DPIA-7), the review date
// (DPIA-8), evaluation and the action plan (DPIA-9), and versions (DPIA-10), after the CNIL PIA
// tool's edit → evaluate → validate.
//
// Pure means the package does no I/O, reads no clock and makes no IDs: the Gateway passes the
// time and the IDs in, and every command works on values — it returns the new DPIA and the events
// it raised and leaves its input as it was, so a refused command changes nothing anywhere.
//
// # Aggregates
//
// An Activity is any new project, process or system of one organisation; every user of that
// organisation sees it in the activity list. A DPIA is one version of an assessment under an
// activity; it opens only to its contributors (DPIA.CanOpen), and to anyone else it does not
// exist: the package's refusals to a non-contributor are the very answer an unknown ID gets
// (CodeNotFound, rule DPIA-2). Its creator adds organisations to its contacts and their users
// to its contributors. Approvers are contributors it names as DPO, IG lead or compliance manager;
// they are also its evaluators.
//
// # The lifecycle
//
// Machine (built once with NewMachine and shared) runs the states:
//
//	Draft → InProgress → AwaitingApproval → Approved → ReviewDue → (Approved again, or revised)
//	                         ↑  ↓ reject / evaluate to_correct
//	                         Rejected / InProgress
//
// Approved, ReviewDue → Superseded (a newer version approved), and any working state → Closed.
// Editing is locked while a DPIA awaits approval (CodeLocked) and never done to an approved one
// (CodeNotEditable): Revise starts a new version instead, which supersedes the approved one only
// when it is approved in turn (DPIA-10). Machine.Permitted tells a UI what an actor may do;
// Machine.ToGraph draws the machine (docs/dpia-states.svg).
//
// # Decisions this package takes where the rulebook is silent
//
//   - Screening (DPIA-3) asks the nine EDPB WP248 criteria and the ten items of the ICO's list of
//     processing likely to result in high risk; an unanswered question does not hold. It is
//     advisory: no step checks its outcome.
//   - Every named approver must approve the current revision; any one rejection rejects. A
//     revision's approvals count only for it: an edit after approval voids them.
//   - The evaluators are the named approvers. Sign-off is not evaluated (it is the approval).
//   - An approver other than the DPO says whether the DPO's advice is accepted or overruled, with
//     reasons when overruled (the ICO template's sign-off table); a named DPO's opinion is needed
//     before approval (UK GDPR Art. 35(2): the controller seeks the DPO's advice).
//   - The ICO consultation is not content: it may be recorded while the DPIA awaits approval,
//     and it is not carried into a new version (a red risk is consulted on again).
//   - Tasks and the action plan are work, not content: they go on after approval.
//   - A DPIA approved without a review date is reviewed 12 months on.
//   - Only the creator manages contacts and contributors; a contributor of the DPIA's own
//     organisation closes it.
//
// # What the Gateway does with it
//
//  1. Build one Machine with the Gateway and reuse it.
//  2. Check the DPIA licence before NewActivity and New (LIC-4); check the users and roles the
//     commands name (a contributor holds a role at its organisation, a DPO approver the DPO role).
//  3. Save with the transaction log (package txlog) and index each DPIA under its contributors,
//     its organisations, its versions' Root and the day of NextDue.
//  4. Run Sweep on the DPIAs falling due, and Supersede the previous version when a new one is
//     approved.
//  5. Turn Events into notifications, to the members each names.
package dpia
