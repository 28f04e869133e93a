package claims

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// ParseRetention reads a CLAIM_RETENTION value: a number of days such as "365d", or a Go
// duration such as "8760h". It must be positive; "" means DefaultRetention.
func ParseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultRetention, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 100*365 {
			return 0, errors.New("want a number of days such as 365d, or a Go duration such as 8760h")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errors.New("want a number of days such as 365d, or a Go duration such as 8760h")
	}
	return d, nil
}
