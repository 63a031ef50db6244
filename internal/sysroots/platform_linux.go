//go:build linux && !android

package sysroots

// platform is Go's list for Linux (crypto/x509 root_linux.go, go1.26.8).
var platform = &Sources{
	Files: []string{
		"/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo
		"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL 6
		"/etc/ssl/ca-bundle.pem",                            // OpenSUSE
		"/etc/pki/tls/cacert.pem",                           // OpenELEC
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7
		"/etc/ssl/cert.pem",                                 // Alpine
	},
	Dirs: []string{"/etc/ssl/certs", "/etc/pki/tls/certs"},
}
