package postgres_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/postgres"
)

// A host opens the store once at start-up and hands it to the Gateway. This example needs a
// PostgreSQL server, named here by ISG_POSTGRES_URL.
func Example() {
	ctx := context.Background()
	store, err := postgres.Open(ctx, os.Getenv("ISG_POSTGRES_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

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
		org, err := tx.Get(ctx, "organisation", "0190a3c4-7b2e-7cc1-9f00-000000000001")
		if err != nil {
			return err
		}
		fmt.Printf("v%d %s\n", org.Version, org.Body)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
