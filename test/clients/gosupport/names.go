package gosupport

import (
	"crypto/rand"
	"encoding/hex"
	"testing"
)

// Unique gives a name no other test (in this run or a parallel vitest file) uses.
func Unique(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// Must fails the test at once on a non-nil error.
func Must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
