namespace Status499.ContinueAfterClientAbort;

// A route pattern whose requests continue after their client left (Status499Options.ContinueAfterClientAbort or
// configuration). Maximum null means the default. Source names the call or configuration key, for error messages.
internal sealed record ContinueAfterClientAbortMapping(string RoutePattern, TimeSpan? Maximum, string Source);
