namespace Status499.RouteSettings;

// A route pattern and the value it gives one per-route setting for matching requests (Status499Options.MapRoute,
// Status499Options.ContinueAfterClientAbort or configuration). Source says where it came from (a configuration key or
// the call), for error messages.
internal sealed record RouteMapping<TValue>(string RoutePattern, TValue Value, string Source);
