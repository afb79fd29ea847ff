package agreement

// Clone returns a deep copy of the flow: no slice or map of the copy shares memory with f, so a
// holder of either can change it without touching the other.
func (f Flow) Clone() Flow {
	c := f
	c.Parties, c.From, c.To = cloneSlice(f.Parties), cloneSlice(f.From), cloneSlice(f.To)
	c.Controls = cloneSlice(f.Controls)
	c.LegalBases = cloneSlice(f.LegalBases)
	c.PrivacyAnswers = cloneMap(f.PrivacyAnswers)
	c.Assets = cloneSlice(f.Assets)
	c.Reviews = cloneSlice(f.Reviews)
	c.SignOff = cloneSlice(f.SignOff)
	c.WetSignatures = cloneSlice(f.WetSignatures)
	c.Signatures = cloneSlice(f.Signatures)
	for i := range c.Signatures {
		c.Signatures[i].Value = cloneSlice(f.Signatures[i].Value)
	}
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
