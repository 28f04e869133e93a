package redisstore

// CASScript and Encode let the external tests replay a write as go-redis does after a
// lost reply.
var (
	CASScript     = casScript
	Encode        = encode
	FormatVersion = formatVersion
)
