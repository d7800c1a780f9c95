using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Status499.Tokens;

namespace Status499.ArcGisServer;

// Accepts the tokens ArcGisSignedTokenIssuer issued: authenticity first (Data Protection), then expiry, then the client
// binding, so that only a genuine token is ever answered "expired". The expiry is compared with the app's TimeProvider
// here rather than by ITimeLimitedDataProtector, which reads the wall clock and throws the same CryptographicException
// for an expired payload as for a forged one.
internal sealed class ArcGisSignedTokenValidator(ArcGisTokenProtector protector, TimeProvider timeProvider) : ITokenValidator
{
    public const string AuthenticationType = "ArcGisSignedToken";

    public ValueTask<TokenValidatorResult> ValidateAsync(TokenValidatorContext context)
    {
        if (!protector.TryUnprotect(context.Token, out var token))
        {
            return new(TokenValidatorResult.Invalid());
        }

        if (timeProvider.GetUtcNow().ToUnixTimeMilliseconds() >= token.ExpiresUnixMilliseconds)
        {
            return new(TokenValidatorResult.Expired());
        }

        if (!BindingMatches(context.HttpContext, token.Binding, token.BindingValue))
        {
            return new(TokenValidatorResult.Invalid());
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, token.Username)], AuthenticationType);
        return new(TokenValidatorResult.Valid(new ClaimsPrincipal(identity)));
    }

    private static bool BindingMatches(HttpContext context, TokenBindingKind binding, string? value)
    {
        switch (binding)
        {
            case TokenBindingKind.None:
                return true;
            case TokenBindingKind.Referer:
                // Compared as an opaque string: Node clients send "@esri/arcgis-rest-js", not a URL.
                var referer = context.Request.Headers.Referer;
                return referer.Count == 1 && string.Equals(referer[0], value, StringComparison.Ordinal);
            case TokenBindingKind.Ip:
                var remote = context.Connection.RemoteIpAddress;
                return remote is not null && IPAddress.TryParse(value, out var bound) && Canonical(remote).Equals(bound);
            default:
                return false;
        }
    }

    // A dual-stack socket reports IPv4 callers as ::ffff:a.b.c.d; bind and compare them as a.b.c.d.
    public static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
