// Package pdf renders the Gateway's exported documents as PDF (EXIT-2): a finalised or signed
// data sharing agreement (WriteAgreement) and an approved DPIA (WriteDPIA).
//
// It only renders values. It reads no clock, holds no store and makes no decision: the Gateway
// (isg.Gateway.ExportFlowPDF, isg.Gateway.ExportDPIAPDF) checks who may export what and the
// licence (LIC-3), loads the records, verifies the signatures, and builds the Agreement or DPIA
// value — organisation and user names resolved, every judgement (a rating, a verification
// result) already made — with the time it was produced. Each document says that time and that
// it is accurate only on that day: ratings lapse, signatures are re-verified against the
// records as they are then.
//
// The output is deterministic: the same value always gives the same bytes. The document's
// creation and modification dates are the Produced time of the value, its resource catalogues
// are sorted, and it uses only the standard PDF core fonts (Helvetica), which no reader needs
// embedded, with text translated from UTF-8 to the Windows-1252 code page those fonts use; a
// character outside that code page is written as "?".
//
// The library is github.com/go-pdf/fpdf, the maintained fork of jung-kurt/gofpdf: pure Go,
// no cgo, no dependency outside the standard library for what is used here.
package pdf
