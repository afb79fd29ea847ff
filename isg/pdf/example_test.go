package pdf_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/isgkit/gateway/isg/pdf"
)

// The Gateway builds the value and the caller chooses where the bytes go: here a buffer.
func ExampleWriteAgreement() {
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	doc := pdf.Agreement{
		Produced: at,
		Summary:  pdf.Summary{Title: "Safeguarding children", CreatedBy: "North Trust"},
		Flow:     pdf.Flow{Name: "Referrals", State: "signed", From: []string{"North Trust"}, To: []string{"South Council"}},
		Parties:  []pdf.Party{{Name: "North Trust", Rating: "significant", Signed: true}, {Name: "South Council", Rating: "limited", Signed: true}},
		Signatures: []pdf.Signature{{Signatory: "Ann North", Role: "senior_officer", Org: "North Trust", SignedAt: at.Add(-time.Hour), Verified: true},
			{Signatory: "Ben South", Role: "senior_officer", Org: "South Council", SignedAt: at.Add(-time.Hour), Verified: true}},
		SignaturesValid: true,
	}
	var b bytes.Buffer
	if err := pdf.WriteAgreement(&b, doc); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(b.Bytes()[:5]), b.Len() > 1000)
	// Output: %PDF- true
}
