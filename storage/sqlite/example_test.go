package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/sqlite"
)

func Example() {
	dir, err := os.MkdirTemp("", "isg-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := sqlite.Open(filepath.Join(dir, "isg.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	ctx := context.Background()
	err = store.Update(ctx, func(tx isg.Tx) error {
		_, err := tx.Put(ctx, isg.Record{
			Kind: "organisation",
			ID:   "0190a3c4-7b2e-7cc1-9f00-000000000001",
			Body: []byte(`{"name":"Leeds Teaching Hospitals NHS Trust"}`),
			Keys: []isg.IndexKey{{Name: "ods", Value: "RR8", Unique: true}},
		})
		return err
	})
	if err != nil {
		log.Fatal(err)
	}

	err = store.View(ctx, func(tx isg.Tx) error {
		orgs, err := tx.Find(ctx, "organisation", isg.IndexKey{Name: "ods", Value: "RR8"}, isg.Page{})
		if err != nil {
			return err
		}
		for _, o := range orgs {
			fmt.Printf("%s v%d %s\n", o.ID, o.Version, o.Body)
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// 0190a3c4-7b2e-7cc1-9f00-000000000001 v1 {"name":"Leeds Teaching Hospitals NHS Trust"}
}
