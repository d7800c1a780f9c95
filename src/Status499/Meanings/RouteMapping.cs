namespace Status499.Meanings;

// A route pattern and the meaning it gives to matching requests (Status499Options.MapRoute or configuration).
// Source says where it came from (a configuration key or the MapRoute call), for error messages.
internal sealed record RouteMapping(string RoutePattern, Status499Meaning Meaning, string Source);
