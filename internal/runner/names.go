package runner

import (
	"path/filepath"
	"regexp"

	"github.com/oidc-login/oidc-login/internal/lazyre"
)

// ownNameRE matches exactly what NewName returns: our folder, a prefix, 12 hex digits and an
// extension.
var ownNameRE = lazyre.New(`^` + regexp.QuoteMeta(FilesDir) + `/[a-z][a-z0-9-]*-[0-9a-f]{12}(\.[a-z0-9]+)?$`)

// IsOwnName reports whether rel (relative to the home mount) is a name NewName could have
// made. The post step deletes only such files: the list it gets is state, which printed
// ::save-state lines could have forged.
func IsOwnName(rel string) bool {
	return filepath.IsLocal(rel) && ownNameRE().MatchString(rel)
}
