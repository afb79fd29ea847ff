package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/memory"
)

// publish publishes the agreement in force on the public register, with the agreement of every
// party (EXIT-3), and reads it back as a citizen would, with no account.
func (j *journey) publish() error {
	sam := isg.Actor{User: j.leedsSO, Org: j.leeds}
	will := isg.Actor{User: j.wypAdmin, Org: j.wyp}
	v, ok, err := j.inForce()
	if err != nil || !ok {
		return err
	}
	if _, err := j.g.RegisterEntry(j.ctx, v.ID); err == nil {
		j.say("Resumed: the agreement in force was published on the public register on an earlier run")
	} else {
		if _, err := j.g.ConsentToPublish(j.ctx, sam, isg.ByID[agreement.FlowID]{ID: v.ID}); err != nil {
			return err
		}
		j.say("Leeds agrees to publish the agreement in force on the public register")
		_, err := j.g.RegisterEntry(j.ctx, v.ID)
		j.detail("with the police yet to agree, the register has it -> %s", okOr(err))
		if _, err := j.g.ConsentToPublish(j.ctx, will, isg.ByID[agreement.FlowID]{ID: v.ID}); err != nil {
			return err
		}
	}
	e, err := j.g.RegisterEntry(j.ctx, v.ID)
	if err != nil {
		return err
	}
	parties := make([]string, len(e.Parties))
	for i, p := range e.Parties {
		parties[i] = p.Name
	}
	j.detail("anyone reads, with no account: %q between %s, for %q, on %s, until %s",
		e.Title, strings.Join(parties, " and "), e.Purpose, e.LegalBases[0].Citation, e.ReviewDue.Format("2 January 2006"))
	return nil
}

// inForce returns the signed variation that replaced the first agreement (SIGN-6), if the
// journey got that far.
func (j *journey) inForce() (agreement.Flow, bool, error) {
	sam := isg.Actor{User: j.leedsSO, Org: j.leeds}
	original, ok, err := j.finalised("Adult safeguarding referrals")
	if err != nil || !ok || original.SupersededBy.IsZero() {
		return agreement.Flow{}, false, err
	}
	v, err := j.g.Flow(j.ctx, sam, isg.ByID[agreement.FlowID]{ID: original.SupersededBy})
	return v.Flow, err == nil, err
}

// takeaway writes what people look at and take away to the output folder: Leeds' reports as CSV
// and its data sharing map as SVG (EXIT-1), the agreement in force and the DPIA as PDF, and its
// data return, which an empty store on the receiving side imports with matching receipts (EXIT-2).
func (j *journey) takeaway() error {
	sam := isg.Actor{User: j.leedsSO, Org: j.leeds}
	if err := os.MkdirAll(j.outDir, 0o755); err != nil {
		return err
	}
	m, err := j.g.SharingMap(j.ctx, sam)
	if err != nil {
		return err
	}
	j.say("Leeds' reports: its data sharing map shows %d dataset(s) shared with %d partner(s) in %d flow(s)", m.Datasets, m.Partners, m.Flows)
	if err := j.write("sharing-map.svg", func(w io.Writer) error { _, err := io.WriteString(w, m.SVG()); return err }); err != nil {
		return err
	}
	if err := j.write("sharing-map.csv", m.WriteCSV); err != nil {
		return err
	}
	byStatus, err := j.g.FlowsByStatus(j.ctx, sam)
	if err != nil {
		return err
	}
	var counts []string
	for _, c := range byStatus.Counts {
		if c.Count > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", c.Count, c.Status))
		}
	}
	j.detail("flows by status: %s", strings.Join(counts, ", "))
	if err := j.write("flows-by-status.csv", byStatus.WriteCSV); err != nil {
		return err
	}
	partners, err := j.g.PartnerAssurance(j.ctx, sam)
	if err != nil {
		return err
	}
	for _, p := range partners.Rows {
		j.detail("partner assurance: %s is %s", p.Name, p.Rating.Level)
	}
	if err := j.write("partner-assurance.csv", partners.WriteCSV); err != nil {
		return err
	}
	due, err := j.g.ReviewsDue(j.ctx, sam, isg.ReviewsDueInput{})
	if err != nil {
		return err
	}
	j.detail("reviews due now: %d", due.Total)
	if err := j.write("reviews-due.csv", due.WriteCSV); err != nil {
		return err
	}
	if err := j.pdfs(sam); err != nil {
		return err
	}
	return j.dataReturn(sam)
}

// pdfs exports the agreement in force and the approved DPIA as PDF.
func (j *journey) pdfs(sam isg.Actor) error {
	v, ok, err := j.inForce()
	if err != nil || !ok {
		return err
	}
	pdf, err := j.g.ExportFlowPDF(j.ctx, sam, isg.ByID[agreement.FlowID]{ID: v.ID})
	if err != nil {
		return err
	}
	j.say("Leeds exports the agreement in force as PDF (%d KB), signatures verified as of %s", len(pdf.PDF)/1024, pdf.Produced.Format("2 January 2006"))
	if err := j.write("agreement.pdf", bytesTo(pdf.PDF)); err != nil {
		return err
	}
	d, ok, err := j.approvedDPIA(sam)
	if err != nil || !ok {
		return err
	}
	dp, err := j.g.ExportDPIAPDF(j.ctx, sam, isg.ByID[dpia.ID]{ID: d.ID})
	if err != nil {
		return err
	}
	j.detail("and the approved DPIA %q (%d KB)", d.Title, len(dp.PDF)/1024)
	return j.write("dpia.pdf", bytesTo(dp.PDF))
}

// dataReturn takes Leeds' data return and imports it into an empty store, as a new platform
// would: the sent and received receipts name the same SHA-256 (EXIT-2).
func (j *journey) dataReturn(sam isg.Actor) error {
	var doc bytes.Buffer
	sent, err := j.g.ExportData(j.ctx, sam, isg.ExportDataInput{}, &doc)
	if err != nil {
		return err
	}
	j.say("Leeds takes its data return: %d records, %d KB, sha256 %s…", sent.Records, sent.Bytes/1024, sent.SHA256[:12])
	if err := j.write("data-return.json", bytesTo(doc.Bytes())); err != nil {
		return err
	}
	elsewhere, err := isg.New(memory.New())
	if err != nil {
		return err
	}
	received, err := elsewhere.ImportDataReturn(j.ctx, bytes.NewReader(doc.Bytes()))
	if err != nil {
		return err
	}
	j.detail("an empty store imports it: received receipt sha256 %s…, the same as sent: %v", received.SHA256[:12], received.SHA256 == sent.SHA256)
	return nil
}

// write writes one file of the output folder and names it.
func (j *journey) write(name string, fill func(io.Writer) error) (err error) {
	path := filepath.Join(j.outDir, name)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	j.written = append(j.written, name)
	return fill(f)
}

func bytesTo(b []byte) func(io.Writer) error {
	return func(w io.Writer) error { _, err := w.Write(b); return err }
}
