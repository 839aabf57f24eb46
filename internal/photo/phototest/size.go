package phototest

import (
	"bytes"

	"golang.org/x/image/webp"
)

func decodeWebPSize(b []byte) ([2]int, error) {
	c, err := webp.DecodeConfig(bytes.NewReader(b))
	return [2]int{c.Width, c.Height}, err
}
