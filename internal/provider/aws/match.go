package aws

import "strings"

// The checks of the inputs every AWS login reads, written out by hand: as regular expressions
// (kept beside their tests in match_test.go, which hold these functions to them), their bounded
// repetitions such as {1,64} compile into large programs on every login's path. Each matches
// exactly what its expression matches.

// matchRoleARN splits a role ARN,
// ^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):iam::(\d{12}):role/((?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64})$:
// its partition, its account, and the role's path and name.
func matchRoleARN(s string) (partition, account, role string, ok bool) {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return "", "", "", false
	}
	partition, rest, ok = strings.Cut(rest, ":iam::")
	if !ok || !isPartition(partition) || len(rest) < 12 || !allDigits(rest[:12]) {
		return "", "", "", false
	}
	account, rest = rest[:12], rest[12:]
	role, ok = strings.CutPrefix(rest, ":role/")
	if !ok {
		return "", "", "", false
	}
	name := role[strings.LastIndexByte(role, '/')+1:]
	if len(name) < 1 || len(name) > 64 {
		return "", "", "", false
	}
	for seg := range strings.SplitSeq(role, "/") {
		if seg == "" || !allOf(seg, isNameChar) {
			return "", "", "", false
		}
	}
	return partition, account, role, true
}

// isPartition: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-[a-z] or aws-eusc.
func isPartition(p string) bool {
	switch p {
	case "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-eusc":
		return true
	}
	return len(p) == 9 && strings.HasPrefix(p, "aws-iso-") && p[8] >= 'a' && p[8] <= 'z'
}

// isRegion: ^[a-z]{2}(-[a-z]+)+-\d{1,2}$.
func isRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 || len(parts[0]) != 2 || !allOf(parts[0], isLower) {
		return false
	}
	for _, p := range parts[1 : len(parts)-1] {
		if p == "" || !allOf(p, isLower) {
			return false
		}
	}
	last := parts[len(parts)-1]
	return len(last) >= 1 && len(last) <= 2 && allDigits(last)
}

// isSessionName: ^[\w+=,.@-]{2,64}$.
func isSessionName(s string) bool {
	return len(s) >= 2 && len(s) <= 64 && allOf(s, isNameChar)
}

// isNameChar is [\w+=,.@-]: \w is [0-9A-Za-z_].
func isNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_+=,.@-", c) >= 0
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool { return s != "" && allOf(s, isDigit) }

func allOf(s string, ok func(byte) bool) bool {
	for i := range len(s) {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}
