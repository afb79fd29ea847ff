package isg

// Links between the foundation and the features built on it (licensing, assurance). Each is
// completed where its feature lands.

const kindAssurance Kind = "assurance"

// hasAssurance reports whether org has submitted assurance (ORG-2).
func (u *uow) hasAssurance(org OrgID) (bool, error) {
	n, err := u.tx.Count(u.ctx, kindAssurance, key("org", org.String()))
	return n > 0, err
}

// requireGroup checks that a licensing group exists.
func (u *uow) requireGroup(group string) error { return nil }

// onLicenceRequested records a licence request made at registration (LIC-7).
func (u *uow) onLicenceRequested(o Organisation) error { return nil }

// isSuperAdminOf reports whether id is a Super Administrator of org's licensing group.
func (u *uow) isSuperAdminOf(org OrgID, id UserID) (bool, error) { return false, nil }

// superAdminsOf lists the Super Administrators of o's licensing group.
func (u *uow) superAdminsOf(o Organisation) ([]UserID, error) { return nil, nil }

// checkUserCap refuses a new user past the free model's cap (LIC-3).
func (u *uow) checkUserCap(org OrgID) error { return nil }
