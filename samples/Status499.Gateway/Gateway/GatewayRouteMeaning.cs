using Yarp.ReverseProxy.Configuration;

namespace Status499.Gateway;

// Which meaning a YARP route's endpoint gets: TokenRequired unless the route's Metadata says otherwise
// ("Status499Meaning": "ClientClosedRequest" for a public route). Endpoint metadata beats every route pattern
// (docs/meanings.md), so whatever the "Status499" section says, a proxied request needs a token unless its YARP
// route opts out by name; a value that is not a meaning keeps the token (fail closed).
internal static class GatewayRouteMeaning
{
    public const string MetadataKey = "Status499Meaning";

    public static Status499Meaning Of(RouteConfig route)
        => route.Metadata is { } metadata
            && metadata.TryGetValue(MetadataKey, out var value)
            && Enum.TryParse<Status499Meaning>(value, ignoreCase: true, out var meaning)
            && Enum.IsDefined(meaning)
            ? meaning
            : Status499Meaning.TokenRequired;
}
