package main

import (
	"errors"
	"io"
)

// errInterrupted is Ctrl-C typed at the token prompt.
var errInterrupted = errors.New("interrupted")

// readSecret reads one line from a terminal in raw mode, showing nothing:
// Enter (CR or LF) ends it, Backspace and Ctrl-U edit it, Ctrl-C cancels
// and Ctrl-D on an empty line is the end of input.
func readSecret(r io.Reader) ([]byte, error) {
	var line []byte
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n == 0 {
			if err == nil {
				continue
			}
			if err == io.EOF && len(line) > 0 {
				return line, nil
			}
			return nil, err
		}
		switch c := b[0]; c {
		case '\r', '\n':
			return line, nil
		case 3: // Ctrl-C
			return nil, errInterrupted
		case 4: // Ctrl-D
			if len(line) == 0 {
				return nil, io.EOF
			}
		case 8, 127: // Backspace
			if len(line) > 0 {
				line = line[:len(line)-1]
			}
		case 21: // Ctrl-U
			line = line[:0]
		default:
			line = append(line, c)
		}
	}
}
