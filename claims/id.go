package claims

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// idAlphabet is Crockford's base 32 without the digits 0 and 1, which read like O and I/L
// (Crockford already drops I, L, O and U): 30 symbols a person can read aloud and type.
const idAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// idLength is the number of random symbols in an id: 30^6 ≈ 7.3·10^8 ids. Create refuses a
// duplicate, so a collision costs one retry, never a claim.
const idLength = 6

// NewID returns a fresh random claim id such as "R-7K2Q9M" (8 characters: within the
// contract's 6–16 letters, digits and "-").
func NewID() ID {
	var b [idLength]byte
	var sb strings.Builder
	sb.WriteString("R-")
	// Rejection sampling keeps every symbol equally likely: 240 = 8·30.
	for sb.Len() < 2+idLength {
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
		for _, c := range b {
			if c < 240 && sb.Len() < 2+idLength {
				sb.WriteByte(idAlphabet[c%30])
			}
		}
	}
	return ID(sb.String())
}

// ParseID reads an id as a customer might type it: case and surrounding blanks do not
// matter; a character no id holds (0, 1, O, I, L, U, punctuation) is refused with an error
// naming it. It returns the canonical, upper-case id.
func ParseID(s string) (ID, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) < 6 || len(s) > 16 {
		return "", fmt.Errorf("claim id %q: want 6 to 16 characters", s)
	}
	for _, c := range s {
		if c != '-' && !strings.ContainsRune(idAlphabet, c) {
			return "", fmt.Errorf("claim id %q: %q is not used in claim ids", s, c)
		}
	}
	return ID(s), nil
}
