// Package report builds the reports of EXIT-1 for one viewing organisation: who an information
// asset is shared with and on which terms, the organisation's data sharing map, its flows by
// status, the reviews falling due, the outstanding signatures and its partners' assurance
// ratings.
//
// The package is pure: it does no I/O beyond writing to an io.Writer its caller hands it, reads
// no clock (the caller passes now), holds no globals and never imports isg or storage. The
// Gateway (isg/reports.go) loads only the records that name the viewing organisation and hands
// them here as plain values.
//
// # Visibility
//
// Every builder applies SUM-3 itself, whatever it is handed: a flow the viewer may not see
// (agreement.CanSeeFlow) or a summary it may not see (agreement.CanSeeSummary) gives no row and
// counts in no total, so a caller that loads too much still shows nothing it should not. The
// builders take flows and summaries by pointer (a flow is about a kilobyte, and the Gateway
// hands over the values it holds decoded rather than copies); they only read them, copy what
// they keep, and skip a nil entry. Names and ratings handed in for organisations that appear in
// no visible row are never used.
//
// # CSV
//
// Each report has a WriteCSV method writing its rows with encoding/csv: one header row, whose
// column names (the Header* variables) are stable, then one line per row in the report's order.
// Times are RFC 3339 in UTC and empty when unset; lists are joined with "; ". A cell that a
// spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage return) is
// prefixed with an apostrophe, for names and terms are written by other organisations.
package report
