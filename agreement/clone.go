package agreement

// Clone returns a deep copy of the flow: no slice or map of the copy shares memory with f, so a
// holder of either can change it without touching the other.
func (f Flow) Clone() Flow {
	c := f
	c.Parties, c.From, c.To = cloneSides(f.Parties, f.From, f.To)
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

// cloneSides copies a flow's parties and its two sides into one allocation: a flow is cloned on
// every read from the Gateway's cache and again when cached. Each copy's capacity ends at its
// length, so appending to one never writes into the next. An empty side stays empty rather than
// nil: a terminated flow may have one (LIFE-3), and it must encode as [] in the copy as in the
// original.
func cloneSides(parties, from, to []OrgID) (p, f, t []OrgID) {
	slab := make([]OrgID, 0, len(parties)+len(from)+len(to))
	part := func(s []OrgID) []OrgID {
		if s == nil {
			return nil
		}
		start := len(slab)
		slab = append(slab, s...)
		return slab[start:len(slab):len(slab)]
	}
	return part(parties), part(from), part(to)
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
