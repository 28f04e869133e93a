package redisstore

// CASScript and Encode let the external tests replay a write as go-redis does after a
// lost reply.
var (
	CASScript     = casScript
	FormatVersion = formatVersion
)

// Encode returns the stored value of session JSON data at version.
func Encode(version int64, data []byte) string {
	return string(append(appendHeader(nil, version), data...))
}
