package agreement

// CanSeeSummary reports whether org may see summary s: it is named in it or created it (SUM-3).
func CanSeeSummary(org OrgID, s Summary) bool {
	return !org.IsZero() && (s.CreatedByOrg == org || s.Names(org))
}

// CanSeeFlow reports whether org may see flow f: it is named in that flow or created it (SUM-3).
// Being named in the flow's summary is not enough.
func CanSeeFlow(org OrgID, f Flow) bool {
	return !org.IsZero() && (f.CreatedByOrg == org || f.Names(org))
}

// VisibleFlows returns the flows org may see, in their order, so listings and their counts show
// only those (SUM-3). The result shares no backing array with flows.
func VisibleFlows(org OrgID, flows []Flow) []Flow {
	var out []Flow
	for _, f := range flows {
		if CanSeeFlow(org, f) {
			out = append(out, f)
		}
	}
	return out
}
