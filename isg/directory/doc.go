// Package directory holds the pure rules of the platform's directory: accounts and their
// lifecycle, organisations and their setup, roles and invitations, delegations, merges, closures,
// the MoU, the data inventory and documents. It is shaped like package agreement: functions take
// the current value, the actor, the time and any new IDs, and return the new value and the events
// it raised, leaving their input unchanged. It does no I/O, reads no clock and makes no IDs, so a
// host can test its own policy against it without a Gateway or a store.
//
// The Gateway (package isg) loads the aggregates, checks the permission table, calls these rules,
// saves the results and turns the events into outbox notifications, all in one unit of work.
package directory
