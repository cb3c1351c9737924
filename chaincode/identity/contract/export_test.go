package contract

// Policy exposes the access table to the external tests.
var Policy = policy
