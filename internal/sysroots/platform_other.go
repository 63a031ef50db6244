//go:build !linux || android

package sysroots

// platform is nil: macOS and Windows verify against the system's own store, which no file
// list reproduces, so Go's default stays in charge there.
var platform *Sources
