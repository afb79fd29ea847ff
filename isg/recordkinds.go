package isg

import (
	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg/support"
	"github.com/isgkit/gateway/isg/txlog"
	"github.com/isgkit/gateway/licensing"
)

// RecordKind is one kind of record the Gateway stores, with a zero value of the Go type whose
// JSON encoding (encoding/json) is the record's Body.
type RecordKind struct {
	// Kind is the record kind, as in Record.Kind and the kind column of the SQL adapters.
	Kind Kind
	// Sample is a zero value of the body's Go type. Some types are the Gateway's own and
	// unexported (a user's stored account, a platform signing key): reflect on Sample, or
	// decode a body into a new value of its type, to read one.
	Sample any
	// Doc says in a line what a record of the kind is.
	Doc string
}

// RecordKinds lists every kind of record the Gateway stores, in name order, with its body's Go
// type: the table from which the JSON Schemas in docs/schemas are generated (one per kind,
// <kind>.schema.json) and against which the tests check real records. A host querying the
// store with SQL (docs/sql.md) reads the field names there. A kind added to the Gateway is
// added here; a test fails while a kind is stored that this table does not list.
func RecordKinds() []RecordKind {
	return []RecordKind{
		{kindActivity, dpia.Activity{}, "a processing activity (project, process or system) that DPIAs assess"},
		{kindAssurance, assuranceRecord{}, "an organisation's current assurance submission, by organisation ID (ASR-1…4)"},
		{kindAssuranceHistory, assurance.Submission{}, "an earlier assurance submission of an organisation, kept for its history"},
		{kindBreakGlass, BreakGlass{}, "a break-glass account recovery by the platform operator"},
		{kindClosure, ClosureRequest{}, "a request to close an organisation, and its decision"},
		{kindContract, licensing.Contract{}, "a licence contract and the organisations it covers (LIC-1…3)"},
		{kindDelegation, Delegation{}, "a delegation of an organisation role to another user for a period (ROLE-5)"},
		{kindDocument, Document{}, "an uploaded document's metadata; its content is in the blob store"},
		{kindDPIA, dpia.DPIA{}, "one version of a data protection impact assessment"},
		{kindFlow, agreement.Flow{}, "a data flow: the terms of one sharing between parties, its state, reviews and signatures"},
		{kindFlowDeletion, FlowDeletion{}, "the record kept of a flow deleted at the end of its retention"},
		{kindAsset, InformationAsset{}, "an entry of an organisation's information asset register"},
		{kindInvitation, Invitation{}, "an invitation to join an organisation with roles"},
		{kindLicenceRequest, licensing.Request{}, "an organisation's request for a licence"},
		{kindLogEntry, txlog.Entry{}, "one entry of a flow's or DPIA's hash-chained transaction log (LOG-1, LOG-2)"},
		{kindMerge, MergeRequest{}, "a request to merge one organisation into another"},
		{kindMoU, MoU{}, "a published version of the platform's Memorandum of Understanding"},
		{kindMoUSignature, MoUSignature{}, "an organisation's signature of an MoU version (MOU-1)"},
		{kindNotification, Notification{}, "a notification to a user, and its delivery through the outbox"},
		{kindOrg, Organisation{}, "a registered organisation"},
		{kindPlaceholder, Placeholder{}, "an organisation named on a flow before it registers (ORG-11)"},
		{kindRegisterEntry, registerRecord{}, "a flow's entry on the public register (EXIT-3), empty once it has left the register"},
		{kindResource, support.Resource{}, "an entry of the resources library"},
		{kindRiskAssessment, agreement.RiskAssessment{}, "a flow's risk assessment"},
		{kindCursor, cursor{}, "how far a periodic job (the sweep) has got, by job name"},
		{kindSigningKey, platformKey{}, "a platform signing key; its private half is held sealed"},
		{kindSummary, agreement.Summary{}, "an information sharing summary: the agreement the flows belong to"},
		{kindSupportAccess, SupportAccess{}, "a logged read of an organisation's data by the central team (ROLE-7)"},
		{kindSupportRequest, support.Request{}, "a support request and its conversation"},
		{kindUser, user{}, "a user account, with its password hash and memberships"},
	}
}
