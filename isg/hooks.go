package isg

// Links between the foundation and the features built on it (agreements). Each is
// completed where its feature lands.

// partnersOf lists the organisations org shares with: those named with it in a summary or flow (ASR-5).
func (u *uow) partnersOf(org OrgID) ([]OrgID, error) { return nil, nil }
