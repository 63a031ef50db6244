package sysroots

import (
	"bytes"
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
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" && len(b.Headers) == 0 {
			blocks = append(blocks, b.Bytes)
		}
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
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" && len(b.Headers) == 0 {
			blocks = append(blocks, b.Bytes)
		}
	}
	return blocks
}
