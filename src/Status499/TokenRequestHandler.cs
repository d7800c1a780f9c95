using Microsoft.AspNetCore.Http;

namespace Status499;

// Validates the token of a TokenRequired request and writes the ArcGIS error when it fails.
// Returns true when the request may continue to the endpoint.
internal sealed class TokenRequestHandler
{
#pragma warning disable CA1822 // Filled in by the token validation work.
    public ValueTask<bool> HandleAsync(HttpContext context, Status499RequestState state) => new(true);
#pragma warning restore CA1822
}
