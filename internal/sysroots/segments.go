package sysroots

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"hash/maphash"
	"slices"
)

// decoded is a text already decoded, cut where pem.Decode left off after each block, so that
// a file holding a run of its segments is known without decoding it again.
//
// pem.Decode (encoding/pem, go1.26.8) searches forward from the start of its input for the
// first END line, then back from it for the BEGIN line, and on success returns the rest of
// the input after the END line's newline; it never looks further. So decoding
// text[cuts[a]:cuts[b]] alone returns exactly the blocks decoding text gave between those
// cuts, and then nothing (FuzzSegments checks it against encoding/pem). Debian's bundle is
// the concatenation of the files its certificate directory links to, so each of those
// files, and a copy of the bundle, are such runs: their blocks are blocks already read,
// which a pool keeps only once, at their first place.
type decoded struct {
	text []byte
	cuts []int // 0, where each decoded block ends, and len(text)
	seed maphash.Seed
	// byPrefix finds the cuts a run may start at: the hash of up to prefixLen bytes after
	// each cut but the last.
	byPrefix map[uint64][]int
}

const prefixLen = 128

// decodeBlocks appends to blocks the DER of what x509.CertPool.AppendCertsFromPEM takes from
// data (CERTIFICATE blocks without headers; anything else is skipped), and returns the text
// cut as pem.Decode cut it.
func decodeBlocks(blocks [][]byte, data []byte) ([][]byte, *decoded) {
	d := &decoded{text: data, cuts: []int{0}, seed: maphash.MakeSeed()}
	rest := data
	for len(rest) > 0 {
		der, next, ok := nextBlock(rest)
		if !ok {
			break
		}
		if der != nil {
			blocks = append(blocks, der)
		}
		rest = next
		d.cuts = append(d.cuts, len(data)-len(rest))
	}
	if d.cuts[len(d.cuts)-1] != len(data) {
		d.cuts = append(d.cuts, len(data)) // a tail in which pem.Decode finds no block
	}
	d.byPrefix = make(map[uint64][]int, len(d.cuts))
	for i, c := range d.cuts[:len(d.cuts)-1] {
		h := d.hash(data[c:min(len(data), c+prefixLen)])
		d.byPrefix[h] = append(d.byPrefix[h], i)
	}
	return blocks, d
}

func (d *decoded) hash(b []byte) uint64 { return maphash.Bytes(d.seed, b) }

// holds reports whether text is text[cuts[a]:cuts[b]] for some a < b: a run of d's
// segments, whose blocks d gave already.
func (d *decoded) holds(text []byte) bool {
	if d == nil || len(text) == 0 {
		return false
	}
	for _, a := range d.byPrefix[d.hash(text[:min(len(text), prefixLen)])] {
		start := d.cuts[a]
		if _, ok := slices.BinarySearch(d.cuts, start+len(text)); ok && bytes.Equal(d.text[start:start+len(text)], text) {
			return true
		}
	}
	return false
}

// appendBlocks is decodeBlocks without the cuts.
func appendBlocks(blocks [][]byte, data []byte) [][]byte {
	for len(data) > 0 {
		der, rest, ok := nextBlock(data)
		if !ok {
			break
		}
		if der != nil {
			blocks = append(blocks, der)
		}
		data = rest
	}
	return blocks
}

// The lines around a certificate as every bundle and certificate file writes them.
var (
	certBegin = []byte("-----BEGIN CERTIFICATE-----\n")
	certEnd   = []byte("\n-----END CERTIFICATE-----")
)

// nextBlock is one pem.Decode(data) as AppendCertsFromPEM takes it: the DER of a CERTIFICATE
// block without headers (nil for any other block), the rest after the block, and false when
// pem.Decode finds no block. A block written the usual way (data starts with the BEGIN line,
// then base64 on lines ended by a newline, then the END line and a newline or the end) is
// decoded here, and anything else by pem.Decode. The result is the same: pem.Decode looks for
// the first END line, then back from it for the BEGIN line, and such a block holds neither a
// dash nor a colon (neither is base64), so the END line it finds is this one, the BEGIN line
// is the first line, and no line is a header. Only the two searches differ: pem.Decode's
// backward one scans each block byte by byte (Rabin-Karp), which took two fifths of the time
// decoding Debian's bundle took, and its removal of spaces and tabs, which base64 rejects here.
// FuzzNextBlock holds the two to the same blocks and rests.
func nextBlock(data []byte) (der, rest []byte, ok bool) {
	if body, isCert := bytes.CutPrefix(data, certBegin); isCert {
		if i := bytes.Index(body, certEnd); i > 0 {
			after := body[i+len(certEnd):]
			if len(after) == 0 || after[0] == '\n' {
				b64 := body[:i]
				out := make([]byte, base64.StdEncoding.DecodedLen(len(b64)))
				if n, err := base64.StdEncoding.Decode(out, b64); err == nil {
					if len(after) > 0 {
						after = after[1:]
					}
					return out[:n], after, true
				}
			}
		}
	}
	b, rest := pem.Decode(data)
	if b == nil {
		return nil, data, false
	}
	if b.Type == "CERTIFICATE" && len(b.Headers) == 0 {
		return b.Bytes, rest, true
	}
	return nil, rest, true
}
