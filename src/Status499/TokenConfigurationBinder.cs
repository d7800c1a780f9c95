using Microsoft.Extensions.Configuration;

namespace Status499;

internal static class TokenConfigurationBinder
{
    public static void Bind(IConfiguration configuration, TokenOptions options, List<string> errors)
    {
    }
}
