// Package agreement is the pure core of data sharing agreements: data sharing summaries (SUM),
// data flows and their lifecycle with DPO review (FLOW), its end — notice, termination, disputes,
// archive and retention (LIFE) — risk assessments (RISK), and the hash-chained transaction log
// (LOG).
//
// Pure means the package does no I/O, reads no clock and makes no IDs: the Gateway passes the
// time and the IDs in, and every command works on values — it returns the new aggregate and the
// events it raised and leaves its input as it was, so a refused command changes nothing anywhere.
//
// # Aggregates
//
// A Summary (SUM-1) names the organisations involved in a sharing and its purpose; it holds any
// number of Flows (SUM-2), separate aggregates pointing back to it by SummaryID, each naming only
// organisations of its summary (FLOW-11). What a user writes is the Terms (SummaryTerms,
// FlowTerms), embedded and stored flattened; everything else is bookkeeping this package keeps.
// CanSeeSummary and CanSeeFlow say who may see what (SUM-3); CopySummary and CopyFlow copy
// (SUM-4, FLOW-10).
//
// A summary may name an organisation not registered yet, from the ICO register, by a placeholder
// ID (Summary.NameUnregistered, ORG-11); Summary.Unregistered lists such parties, which cannot
// review (Summary.CheckReviewRequest) or sign, and Flow.PendingParties names those that keep a
// flow from being Signed until they join.
//
// # The flow lifecycle
//
// FlowMachine (built once with NewFlowMachine and shared) runs the states of FLOW-2:
//
//	Draft --request_review--> InReview --approve--> Approved --finalise--> Finalised
//	                             |  ^                  |
//	                          reject |rereview      reject
//	                             v  |                  v
//	                            Rejected <-------------+
//
// Draft is editable by every organisation named in the flow (FLOW-3); InReview and Approved are
// locked for all (FLOW-5, FLOW-6); Rejected is unlocked for the creating organisation only, which
// answers each rejection with a re-review request (FLOW-7). Only the creator finalises, and a flow
// with personal data only after a DPO approved its current revision or the review-by date passed,
// with no rejection open (FLOW-4, FLOW-8). FlowMachine.Permitted tells a UI what an actor may do;
// FlowMachine.ToGraph draws the machine (docs/flow-states.svg).
//
// # The end of the lifecycle
//
// A flow Finalised or Signed is in force (FlowState.InForce). A party gives notice to leave
// (GiveNotice); every other party approves or rejects it (ApproveNotice, RejectNotice), and the
// giver may withdraw it (WithdrawNotice). When all have approved the organisation is withdrawn
// from the flow (Withdrawals); with fewer than two organisations, or no sender or receiver, left,
// the flow is Terminated (LIFE-3). A party raises a dispute (RaiseDispute) and any party records
// its resolution (ResolveDispute); unresolved, it escalates to every party's Senior Officers after
// 7 days and is marked for mediation 14 days later (LIFE-4). A flow no longer required is
// Archived with a retention end (Archive), extended only with a documented reason
// (ExtendRetention), and deleted once that end has passed and every party approved
// (ApproveDeletion, Delete, which returns the Disposal record to keep) (LIFE-2). The timers are
// NextFlowChange and SweepFlow, which the Gateway's periodic sweep runs; a summary's review
// notices (LIFE-1) are Summary.NextReviewNotice and Summary.SweepReview, and RecordReview starts
// a new review cycle. life.go lists the decisions taken where the rulebook leaves a point open.
//
// # Onward sharing and variations
//
// A flow may name its Sources, the flows its data was received through (FLOW-13); CheckSources
// says what may be named. OriginalsOf follows them to their start, and the Originals it returns
// are what FinaliseOnward, PermittedWith and the onward steps (RequestOnward, ApproveOnward,
// RejectOnward) need: a DPO of every original organisation approves the current version, asked
// and answered like a DPO review but kept apart in OnwardReviews, without locking the flow.
// CanReviewOnward and OnwardView say what the DPO asked may read. FlowMachine.Vary makes a
// variation of a finalised or signed flow, a linked Draft (SIGN-6); FlowMachine.Supersede moves
// the original to Superseded once the variation is Signed.
//
// # The public register
//
// A party agrees to publish a flow in force on the public register (ConsentToPublish) or
// withdraws its agreement (WithdrawPublication); each agreement, a PublicationConsent, holds for
// the parties it was given for. Flow.Published is true while the flow is Finalised or Signed and
// every current party's agreement holds, so a flow leaves the register whichever way it ends or
// its parties change (EXIT-3). NewRegisterEntry builds what the register shows, a RegisterEntry:
// what is shared, between which organisations, for what purpose, on which legal basis and until
// when, and nothing about any user. register.go lists the decisions taken.
//
// # Risk assessments
//
// GenerateRiskAssessment turns a flow's privacy screening answers (PrivacyQuestions) into risks
// scored on the 5×5 NHS matrix (RISK-1) and, regenerating, keeps the risks already reviewed
// (RISK-2); RiskAssessment.ReviewRisk records a review. ImportRiskAssessment copies another
// flow's assessment without touching either flow (FLOW-10).
//
// # The transaction log
//
// Diff lists what a command changed, field by field; Append chains those changes into LogEntry
// values by SHA-256 and moves the LogHead the aggregate keeps; Verify checks a whole log against
// that head and names the first bad entry (LOG-1, LOG-2). EntryHash documents the canonical form.
//
// # Signatures
//
// A signature (SIGN-4) signs a Statement: the signatory, the time, TermsHash — the SHA-256 of
// CanonicalTerms, the RFC 8785 form of the flow's terms without its parties (FLOW-12) — the
// flow's LogHead at signing (LOG-3) and the key's ID. NewStatement builds it, Sign signs it with
// any crypto.Signer (SignatureOptions says how, per key type), and VerifySignature and
// VerifySignatures recompute everything against the flow and its log, naming each failure with
// a stable code. docs/signatures.md documents the bytes; testdata/vectors holds a vector.
//
// # What the Gateway does with it
//
//  1. Build one FlowMachine with the Gateway and reuse it.
//  2. For every command: check the actor's role (ROLE-7), load the aggregate, call this package
//     with the actor, the time and new IDs, and on success save the returned aggregate.
//  3. Diff the old and new aggregate, Append the changes to its log (in the same unit of work)
//     and store the new LogHead in the aggregate's Log field before saving.
//  4. Turn the returned Events into notifications: EventReviewRequested to the DPOs named,
//     EventApproved and EventRejected to the Requester (FLOW-9), EventRereviewRequested to the
//     DPO, EventFinalised to the parties.
//  5. Filter what an organisation lists with CanSeeSummary, CanSeeFlow and VisibleFlows (SUM-3).
//  6. Map errors by Code: every refusal is an *Error with a stable code and the rule it enforces.
package agreement
