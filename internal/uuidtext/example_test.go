package uuidtext_test

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/internal/uuidtext"
)

func ExampleCache() {
	var texts uuidtext.Cache
	id := uuid.MustParse("0192f3a0-7c1e-7abc-8def-0123456789ab")
	fmt.Println(texts.Text(id))
	fmt.Println(texts.Text(id) == id.String()) // the second time from memory
	// Output:
	// 0192f3a0-7c1e-7abc-8def-0123456789ab
	// true
}
