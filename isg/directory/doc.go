// Package directory holds the pure rules of the platform's directory: accounts and their
// lifecycle (REG), organisations and their setup (ORG-1…5, ORG-8…10), roles and invitations,
// delegations (ROLE-5), merges (ORG-6), closures (ORG-7), the MoU (MOU-1) and the data inventory.
// It is shaped like package agreement: functions take the current value, the actor, the time and
// any new IDs, and return the new value and the events it raised, leaving their input unchanged.
// It does no I/O, reads no clock, makes no IDs and never sees a password (the Gateway hashes and
// passes the hash in), so a host can test its own policy against it without a Gateway or a store.
//
// The lifecycles are state machines configured once and shared (NewAccountMachine,
// NewMergeMachine, NewClosureMachine); every question about a request's state is theirs. What the
// rules need from the store — whether an address is taken, how many Administrators an
// organisation has — is passed in as plain values the Gateway read in the same unit of work.
//
// Events say who is to be told (Audience); the Gateway (package isg) resolves the audience to
// accounts, honours their preferences and writes the outbox, all in the unit of work that saves
// the change. The Gateway also checks the permission table before calling any rule here: a rule
// checks only what depends on the record itself (an organisation being merged in, a delegate
// being a member).
package directory
