package claims

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// PolicyVersion names a policy file's content: the shop's own `version:` setting if given,
// then the first 12 hex digits of the SHA-256 of the raw file, e.g. "2026-11@3f2a9c01b7de"
// or "3f2a9c01b7de". Any edit of the file changes the hash, whether or not the shop bumped
// its setting.
func PolicyVersion(raw []byte, setting string) string {
	sum := sha256.Sum256(raw)
	h := hex.EncodeToString(sum[:6])
	if s := strings.TrimSpace(setting); s != "" {
		return s + "@" + h
	}
	return h
}
