package agreement

import "slices"

// Clone returns a deep copy of the flow: no slice or map of the copy shares memory with f, so a
// holder of either can change it without touching the other.
func (f Flow) Clone() Flow {
	c := f
	// slices.Clone keeps an empty side empty rather than nil: a terminated flow may have one
	// (LIFE-3), and it must encode as [] in the copy as in the original.
	c.Parties, c.From, c.To = slices.Clone(f.Parties), slices.Clone(f.From), slices.Clone(f.To)
	c.Controls = cloneSlice(f.Controls)
	c.LegalBases = cloneSlice(f.LegalBases)
	c.PrivacyAnswers = cloneMap(f.PrivacyAnswers)
	c.Assets = cloneSlice(f.Assets)
	c.Sources = cloneSlice(f.Sources)
	c.Reviews = cloneSlice(f.Reviews)
	c.SignOff = cloneSlice(f.SignOff)
	c.WetSignatures = cloneSlice(f.WetSignatures)
	c.OnwardReviews = cloneSlice(f.OnwardReviews)
	c.Signatures = cloneSlice(f.Signatures)
	for i := range c.Signatures {
		c.Signatures[i].Value = cloneSlice(f.Signatures[i].Value)
	}
	// the end of the lifecycle (LIFE-2…LIFE-4)
	c.Notices = cloneNotices(f.Notices)
	c.Withdrawals = cloneSlice(f.Withdrawals)
	c.Disputes = cloneSlice(f.Disputes)
	c.Archive = f.Archive.clone()
	c.Publication = clonePublication(f.Publication) // the public register (EXIT-3)
	return c
}

// Clone returns a deep copy of the summary: no slice of the copy shares memory with s.
func (s Summary) Clone() Summary {
	c := s
	c.Organisations = cloneSlice(s.Organisations)
	c.InformationShared = cloneSlice(s.InformationShared)
	c.Contacts = cloneSlice(s.Contacts)
	c.Documents = cloneSlice(s.Documents)
	c.Unregistered = cloneSlice(s.Unregistered)
	return c
}
