package main

// Exit codes. "Analysed" and "could not analyse" are kept apart so scripts
// can tell a verdict from a broken input.
const (
	exitOK = 0 // every input analysed
	// exitAuthFailed is reserved for "analysed, and authentication
	// failed", so scripts can gate on verdicts.
	exitAuthFailed = 1
	exitUsage      = 2 // bad flags or arguments
	exitInput      = 3 // at least one input could not be analysed
)
